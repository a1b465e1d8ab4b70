using Amazon.EC2.Model;
using EnaRemediate.Simulator.Time;

namespace EnaRemediate.Simulator.Tests;

/// <summary>The stepped clock `simulate` and the fleet bench run on: still during calls, a sleep on it is a jump.</summary>
public sealed class SteppedClockTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_sleep_on_it_moves_it_by_exactly_the_sleep_and_nothing_else_does()
    {
        var clock = new SteppedClock(Start);
        Thread.Sleep(20);
        Assert.Equal(Start, clock.GetUtcNow());

        // An hour of simulated sleep: the test would time out if it were slept in real time.
        await Task.Delay(TimeSpan.FromHours(1), clock).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(Start.AddHours(1), clock.GetUtcNow());

        clock.Advance(TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(-5));
        Assert.Equal(Start.AddHours(1).AddSeconds(5), clock.GetUtcNow());
        Assert.Equal(TimeSpan.FromHours(1), clock.GetElapsedTime(Start.UtcTicks, Start.AddHours(1).UtcTicks));
    }

    [Fact]
    public async Task A_cancelled_sleep_leaves_the_clock_where_it_was()
    {
        // Paced at 1 simulated second per real second, an hour's sleep is still waiting when it is cancelled.
        var clock = new SteppedClock(Start, pace: 1);
        using var cancel = new CancellationTokenSource();
        var sleep = Task.Delay(TimeSpan.FromHours(1), clock, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sleep);
        Assert.Equal(Start, clock.GetUtcNow());
    }

    [Fact]
    public async Task The_simulator_on_it_answers_a_stop_as_stopped_after_the_sleep_that_covers_it()
    {
        var clock = new SteppedClock(Start);
        await using var host = await SimulatorHost.StartAsync(new SimulatorOptions { Scenario = "kernel-update", Clock = clock });
        using var ec2 = new Amazon.EC2.AmazonEC2Client(new Amazon.Runtime.BasicAWSCredentials("test", "test"),
            new Amazon.EC2.AmazonEC2Config { ServiceURL = host.Endpoint.ToString(), AuthenticationRegion = "us-east-1" });
        var id = host.World.Instances[0].InstanceId;

        await ec2.StopInstancesAsync(new StopInstancesRequest { InstanceIds = [id] });
        Assert.Equal(Start, clock.GetUtcNow());
        Assert.Equal("stopping", await StateAsync(ec2, id));
        await Task.Delay(TimeSpan.FromSeconds(91), clock);

        Assert.Equal("stopped", await StateAsync(ec2, id));
        Assert.Equal(Start.AddSeconds(91), clock.GetUtcNow());
    }

    [Fact]
    public void A_pace_out_of_range_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SteppedClock(Start, pace: 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SteppedClock(Start, pace: 5000));
    }

    private static async Task<string> StateAsync(Amazon.EC2.AmazonEC2Client ec2, string id) =>
        (await ec2.DescribeInstancesAsync(new DescribeInstancesRequest { InstanceIds = [id] })).Reservations[0].Instances[0].State.Name.Value;
}
