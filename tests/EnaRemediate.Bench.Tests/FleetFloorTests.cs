using EnaRemediate.Bench.Fleet;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Bench.Tests;

/// <summary>
/// The floor (bench/README.md, "The floor") on fixtures small enough to work out by hand: the
/// drawn waits of one instance add up along its path, a path waits for its rescue, and a token
/// bucket that runs dry paces the calls, giving its tokens to the paths with the most work left.
/// Each round of the replay is at least a millisecond after the one before, hence the tolerance.
/// </summary>
public sealed class FleetFloorTests
{
    private const double Rounds = 0.05;
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;

    private static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    // A type-swap instance as the simulator records it: each phase's beginning and what it drew.
    private static IReadOnlyList<TimelineEntry> TypeSwapTimeline() =>
    [
        new(TimelineEntry.Stop, At(0), At(40)),                                    // stopping 40 s
        new(TimelineEntry.Start, At(41), At(41 + 70), At(41 + 190)),               // SSM Online after 70 s (checks after 190 s: not needed yet)
        new(TimelineEntry.Command("EnaRemediate-CollectHostReport"), At(115), At(120)), // the engine's validation: not on the path
        new(TimelineEntry.Command("EnaRemediate-InstallDriver"), At(112), At(112 + 125)), // pick-up and DKMS build 125 s
        new(TimelineEntry.Stop, At(240), At(240 + 50)),                            // stopping 50 s
        new(TimelineEntry.Start, At(300), At(330), At(300 + 200)),                 // both checks after 200 s
    ];

    [Fact]
    public void A_type_swap_instance_waits_its_two_stops_ssm_online_the_install_and_the_last_checks()
    {
        var path = FloorPaths.Swap(TypeSwapTimeline(), typeChange: true);

        Assert.Equal(
            [FloorCall.Stop, FloorCall.Modify, FloorCall.Modify, FloorCall.Start, FloorCall.Command, FloorCall.Stop, FloorCall.Modify, FloorCall.Modify, FloorCall.Start],
            path.Steps.Select(s => s.Call));
        // 40 (stop) + 70 (start to SSM Online) + 125 (install) + 50 (stop) + 200 (start to both checks).
        Assert.Equal(485, FleetFloor.Replay([path]), Rounds);
    }

    [Fact]
    public void A_phase_the_run_never_reached_counts_at_its_shortest_draw()
    {
        // Lost after the first stop: the rest counts at the ranges' minimums.
        var path = FloorPaths.Swap([new(TimelineEntry.Stop, At(0), At(40))], typeChange: true);

        var expected = 40
            + Latencies.Pending.Min + Latencies.Boot.Min + Latencies.SsmRegistration.Min
            + Latencies.CommandPickup.Min + Latencies.DkmsBuild.Min
            + Latencies.Stopping.Min
            + Latencies.Pending.Min + Latencies.Boot.Min + Latencies.StatusChecks.Min;
        Assert.Equal(expected, FleetFloor.Replay([path]), Rounds);
    }

    [Fact]
    public void Modify_tokens_bind_a_large_type_swap_wave_and_go_to_the_instances_with_the_most_work_left()
    {
        // ModifyInstanceAttribute: 50 tokens, then 5 a second. 30 type-swap instances need 60 calls for their first
        // change at once: 50 at 0 s, the other 10 at 0.2 s, 0.4 s, …, 2.0 s. The long ones (15 of them, 600 s left
        // after the change) get tokens before the short ones (15, 100 s left), so the floor is 600 s, not 602 s.
        IReadOnlyList<FloorStep> Wave(double wait) => [new(FloorCall.Modify, 0), new(FloorCall.Modify, 0), new(FloorCall.Command, wait)];
        var paths = Enumerable.Range(0, 15).Select(_ => new FloorPath(Wave(600)))
            .Concat(Enumerable.Range(0, 15).Select(_ => new FloorPath(Wave(100))))
            .ToList();

        Assert.Equal(600, FleetFloor.Replay(paths), Rounds);
        // With only long ones the last of them gets its second token at 2.0 s.
        Assert.Equal(602, FleetFloor.Replay(Enumerable.Range(0, 30).Select(_ => new FloorPath(Wave(600))).ToList()), Rounds);
    }

    [Fact]
    public void In_the_order_asked_the_tokens_go_first_come_first_served_whatever_work_is_left()
    {
        // The same wave with the short ones asking first: a client that cannot see the draws serves them first,
        // so the long ones wait for the refilled tokens and the last ends at 602 s, where the floor gives 600 s.
        IReadOnlyList<FloorStep> Wave(double wait) => [new(FloorCall.Modify, 0), new(FloorCall.Modify, 0), new(FloorCall.Command, wait)];
        var paths = Enumerable.Range(0, 15).Select(_ => new FloorPath(Wave(100)))
            .Concat(Enumerable.Range(0, 15).Select(_ => new FloorPath(Wave(600))))
            .ToList();

        Assert.Equal(602, FleetFloor.Replay(paths, FleetFloor.TokenOrder.FirstAsked), Rounds);
        Assert.Equal(600, FleetFloor.Replay(paths), Rounds);
    }

    [Fact]
    public void An_offline_repair_starts_when_its_rescue_is_online_and_run_instances_paces_the_rescues()
    {
        // Seven instances, each with a rescue of its own that needs 120 s to be online. RunInstances: 5 tokens,
        // then 2 a second: the sixth rescue is launched at 0.5 s, the seventh at 1.0 s. Each instance: stop 40,
        // detach 5, attach 5 (ready at 50 s, before its rescue), repair 150, detach 5, reattach 5, start to
        // both checks 200; DeleteOnTermination is restored off the path. The last: 1.0 + 120 + 150 + 5 + 5 + 200.
        var paths = Enumerable.Range(0, 7).Select(_ =>
        {
            var rescue = new FloorPath([new(FloorCall.Launch, 120)]);
            return new FloorPath(
            [
                new(FloorCall.Stop, 40), new(FloorCall.Detach, 5), new(FloorCall.Attach, 5),
                new(FloorCall.Command, 150, After: rescue),
                new(FloorCall.Detach, 5), new(FloorCall.Attach, 5), new(FloorCall.Modify, 0, OffPath: true), new(FloorCall.Start, 200),
            ]);
        }).ToList();

        Assert.Equal(481, FleetFloor.Replay(paths), Rounds);
        Assert.Equal(480, FleetFloor.Replay(paths.Take(5).ToList()), Rounds);
    }

    [Fact]
    public void An_offline_path_replays_the_root_moves_its_rescue_and_the_repair_the_run_drew()
    {
        const string id = "i-0000000000000000a", rescueId = "i-0000000000000000r";
        var timelines = new Dictionary<string, IReadOnlyList<TimelineEntry>>
        {
            [id] =
            [
                new(TimelineEntry.Stop, At(100), At(160)),                          // the engine stopped it once its rescue was online: 60 s
                new(TimelineEntry.Detach, At(165), At(168), Subject: id),           // 3 s
                new(TimelineEntry.Attach, At(170), At(177), Subject: rescueId),     // 7 s
                new(TimelineEntry.Detach, At(400), At(409), Subject: rescueId),     // 9 s
                new(TimelineEntry.Attach, At(410), At(412), Subject: id),           // 2 s
                new(TimelineEntry.Start, At(415), At(480), At(415 + 150)),           // both checks after 150 s
            ],
            [rescueId] = [new(TimelineEntry.Start, At(0), At(90), At(200))],        // launched, SSM Online after 90 s
        };
        var repair = new TimelineEntry(TimelineEntry.Command("EnaRemediate-OfflineRepair"), At(180), At(180 + 190), Subject: id);
        var rescues = new Dictionary<string, FloorPath>();

        var path = FloorPaths.Offline(id, "us-east-1a/x86_64", repair, timelines, rescues);

        // The rescue (90 s) outlasts stop, detach and attach (60 + 3 + 7 = 70 s): the repair begins at 90 s,
        // then 190 (repair) + 9 (detach) + 2 (reattach) + 150 (checks).
        Assert.Equal(90 + 190 + 9 + 2 + 150, FleetFloor.Replay([path]), Rounds);
        Assert.Same(rescues[rescueId], path.Steps.Single(s => s.After is not null).After);
    }
}
