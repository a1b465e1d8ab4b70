using EnaRemediate.Core.Engine;

namespace EnaRemediate.Engine.Tests.Speed;

/// <summary>Issue 13: a wait looks when the fastest transition would be done, then polls tightly until the slowest should be, then less often.</summary>
public sealed class ExpectedLatencyTests
{
    private static readonly ExpectedLatency Stop = ExpectedLatencies.Stop;

    [Fact]
    public void TheFirstLookComesWhenTheFastestWouldBeDone()
    {
        Assert.Equal(TimeSpan.FromSeconds(30), Stop.NextLook(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(18), Stop.NextLook(TimeSpan.FromSeconds(12)));
    }

    [Fact]
    public void WithinTheRangeItPollsAThirtiethOfItAndPastItEveryTenSeconds()
    {
        Assert.Equal(TimeSpan.FromSeconds(2), Stop.NextLook(TimeSpan.FromSeconds(45)));
        Assert.Equal(TimeSpan.FromSeconds(10), Stop.NextLook(TimeSpan.FromSeconds(91)));
        // Never tighter than a second, never looser than five within the range.
        Assert.Equal(TimeSpan.FromSeconds(1), ExpectedLatencies.ShortCommand.PollEvery);
        Assert.Equal(TimeSpan.FromSeconds(5), ExpectedLatencies.StatusChecks.PollEvery);
    }

    [Fact]
    public void AForcedStopFollowsTheForcedRangeFromWhenItWasForced()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), ExpectedLatencies.StopLook(TimeSpan.FromSeconds(400), TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(2), ExpectedLatencies.StopLook(TimeSpan.FromSeconds(60), null));
    }
}
