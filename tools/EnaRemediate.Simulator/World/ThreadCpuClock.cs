using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EnaRemediate.Simulator.World;

/// <summary>
/// The CPU time the calling thread has used (Linux CLOCK_THREAD_CPUTIME_ID), so that a benchmark
/// running the simulator in its own process can tell the simulator's CPU from its client's.
/// Elsewhere it falls back to the wall clock, which overstates the CPU on a busy machine.
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTime = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    public static TimeSpan Now() =>
        OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTime, out var t) == 0
            ? TimeSpan.FromTicks(t.Seconds * TimeSpan.TicksPerSecond + t.Nanoseconds / 100)
            : Stopwatch.GetElapsedTime(0);
}
