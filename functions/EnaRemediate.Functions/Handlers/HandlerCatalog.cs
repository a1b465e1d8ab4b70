using EnaRemediate.Functions.Hosting;
using EnaRemediate.Functions.Intake;

namespace EnaRemediate.Functions.Handlers;

/// <summary>
/// The handlers this one assembly can be, by the name in ENAREMEDIATE_HANDLER.
/// </summary>
public static class HandlerCatalog
{
    private static readonly Dictionary<string, Func<FunctionServices, IFunctionHandler>> Factories = new(StringComparer.Ordinal)
    {
        ["intake"] = s => new IntakeHandler(new TriggerNormaliser(s.Settings.DefaultMode, s.Settings.Region), s.Engine, Notifications(s)),
        ["advance"] = s => new AdvanceHandler(s.Engine, s.Store, s.Time, Notifications(s)),
        ["diagnose"] = s => new DiagnoseHandler(new TriggerNormaliser(Core.Engine.RemediationMode.Diagnose, s.Settings.Region), s.Engine),
        ["sweep"] = s => new SweepHandler(s.ImpairedInstances, s.Engine, s.Store, s.Settings.DefaultMode, s.Time),
        ["register-ami"] = s => new RegisterAmiHandler(new TriggerNormaliser(Core.Engine.RemediationMode.Remediate, s.Settings.Region), s.Engine),
        ["inventory"] = InventoryHandler.Create,
    };

    /// <summary>Notifications name the deployment's table, where their records are.</summary>
    private static Core.Notifications.NotificationComposer Notifications(FunctionServices s) => new(new Core.Notifications.RecordLocation(s.Settings.TableName));

    public static IReadOnlyCollection<string> Names => Factories.Keys;

    public static IFunctionHandler Create(FunctionServices services) =>
        Factories.TryGetValue(services.Settings.Handler, out var create)
            ? create(services)
            : throw new ConfigurationException($"{FunctionSettings.HandlerVariable}='{services.Settings.Handler}' names no handler; use one of: {string.Join(", ", Names)}.");
}
