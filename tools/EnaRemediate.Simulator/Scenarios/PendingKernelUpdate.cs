using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Scenarios;

/// <summary>
/// The scenario breakage "pending-kernel-update": the image's newest kernel was installed after
/// the instance last booted, so it still runs the kernel before it and boots the newest one at
/// its next reboot (the state a readiness inventory exists to find).
/// </summary>
internal static class PendingKernelUpdate
{
    public const string Breakage = "pending-kernel-update";

    /// <summary>
    /// While the returned scope is open the guest's newest kernel is not installed, so a boot
    /// settled inside it runs the kernel before; closing the scope puts the newest one back.
    /// </summary>
    public static IDisposable HoldBackNewest(GuestOs? guest, string? breakage)
    {
        if (breakage != Breakage || guest is null || guest.Kernels.Count < 2)
        {
            return new Scope(null, null);
        }
        var newest = guest.Newest!;
        guest.Kernels.Remove(newest);
        return new Scope(guest, newest);
    }

    private sealed class Scope(GuestOs? guest, KernelInstall? kernel) : IDisposable
    {
        public void Dispose()
        {
            if (guest is not null && kernel is not null && !guest.Kernels.Contains(kernel))
            {
                guest.Kernels.Add(kernel);
            }
        }
    }
}
