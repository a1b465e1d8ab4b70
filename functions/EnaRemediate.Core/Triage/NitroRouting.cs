using System.Collections.Immutable;
using EnaRemediate.Core.Facts;

namespace EnaRemediate.Core.Triage;

/// <summary>
/// The route for an EBS-backed instance whose type requires ENA: type-swap when a Xen stand-in
/// can take it (cheaper: no extra instance, no volume moves), offline-repair otherwise; an
/// operator's route wins when the facts allow it and is refused with the reason when they do
/// not. Guards come first: a root that cannot be identified, and Marketplace codes that forbid
/// attaching the root to a rescue instance.
/// </summary>
public static class NitroRouting
{
    /// <summary>Memo key of the stand-in type type-swap uses.</summary>
    public const string StandInMemo = "route.standInType";

    public static TriageResult Choose(InstanceFacts facts, string? route)
    {
        var id = facts.InstanceId;
        var type = facts.Instance!.InstanceType;
        if (facts.Nitro is not { } nitro)
        {
            return TriageResult.Act(id, PlanNames.OfflineRepair, $"EBS-backed {type} requires ENA (a Nitro type), so it cannot boot with ENA off: the driver must be installed offline from a rescue instance.");
        }
        if (nitro.Instance.RootVolumeId is null)
        {
            return TriageResult.Refuse(id, PlanNames.Refused, RefusalCodes.RootUnidentified,
                $"EC2 reports no EBS volume at the root device {nitro.Instance.RootDeviceName ?? "(none)"} of this {type}: refusing rather than guessing which volume boots it.");
        }
        var standIn = StandInChooser.Choose(nitro);
        var marketplace = nitro.Instance.MarketplaceCodes.Count > 0;
        var swapReason = standIn.Type is null ? $"type-swap is not possible: {standIn.Why}" : null;
        var offlineReason = marketplace
            ? $"offline repair is not possible: its root carries the AWS Marketplace product code {string.Join(", ", nitro.Instance.MarketplaceCodes)}, and such a volume can only be attached to a stopped instance, never to a running rescue"
            : null;
        var wantSwap = route switch
        {
            PlanNames.TypeSwap => true,
            PlanNames.OfflineRepair => false,
            null => standIn.Type is not null,
            _ => (bool?)null,
        };
        if (wantSwap is null)
        {
            return TriageResult.Refuse(id, PlanNames.Refused, RefusalCodes.RouteNotPossible, $"Unknown route '{route}': use type-swap or offline-repair.");
        }
        var chosenBy = route is null ? "" : " (route chosen by the operator)";
        if (wantSwap == true)
        {
            if (standIn.Type is not { } stand)
            {
                var other = route is null ? "" : offlineReason is null ? " Use --route offline-repair." : $" And {offlineReason}.";
                return TriageResult.Refuse(id, PlanNames.TypeSwap, RefusalCodes.RouteNotPossible, $"{type}: {swapReason}.{other}");
            }
            return TriageResult.Act(id, PlanNames.TypeSwap,
                $"type-swap{chosenBy}: {type} requires ENA; {standIn.Why}, where it boots on Xen netfront with ENA off to install the driver, then goes back to {type} with ENA on.")
                with { Memo = ImmutableDictionary<string, string>.Empty.Add(StandInMemo, stand.Name) };
        }
        if (offlineReason is not null)
        {
            var why = swapReason is null ? "" : $"; and {swapReason}";
            return TriageResult.Refuse(id, PlanNames.OfflineRepair, RefusalCodes.MarketplaceVolume, $"{type}: {offlineReason}{why}. Recover it by hand (or from a snapshot).");
        }
        return TriageResult.Act(id, PlanNames.OfflineRepair,
            $"offline-repair{chosenBy}: {type} requires ENA and {swapReason ?? "the operator chose offline repair"}; its root volume {nitro.Instance.RootVolumeId} is repaired from a rescue instance in {nitro.Instance.AvailabilityZone}.");
    }
}
