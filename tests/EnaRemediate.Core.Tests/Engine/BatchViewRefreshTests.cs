using EnaRemediate.Core.Engine;

namespace EnaRemediate.Core.Tests.Engine;

/// <summary>
/// Issue 13: the periodic whole re-read of a large batch refreshes the view in place. What
/// another writer saved (a new version) shows in the index at once, a record left as it was keeps
/// its place, and a re-read that no longer holds the same records is refused so that the reconciler
/// builds a new view.
/// </summary>
public sealed class BatchViewRefreshTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 4, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_record_another_writer_moved_is_taken_and_the_others_are_kept()
    {
        var a = Record("a", Now.AddSeconds(30), version: 1);
        var b = Record("b", Now.AddSeconds(60), version: 1);
        var view = new BatchView(["rem-a", "rem-b"], [a, b], Now);

        // Another writer brought b's next look forward and finished nothing; a is as it was.
        var movedB = b with { NextLookAt = Now.AddSeconds(5), Version = 2 };
        Assert.True(view.TryRefresh([a, movedB], Now.AddSeconds(1)));

        Assert.Equal(Now.AddSeconds(1), view.ReadAt);
        Assert.Equal(Now.AddSeconds(5), view.NextLook);
        Assert.Equal(["rem-b"], view.Due(Now.AddSeconds(5), TimeSpan.Zero, _ => true).Select(r => r.RemediationId));
    }

    [Fact]
    public void A_record_another_writer_finished_leaves_the_index()
    {
        var a = Record("a", Now.AddSeconds(30), version: 1);
        var view = new BatchView(["rem-a"], [a], Now);

        Assert.True(view.TryRefresh([a with { Outcome = "recovered", NextLookAt = null, Version = 2 }], Now));

        Assert.True(view.Done);
        Assert.Equal("recovered", Assert.Single(view.Summaries(Now)).Outcome);
    }

    [Fact]
    public void A_same_version_is_not_indexed_again()
    {
        var a = Record("a", Now.AddSeconds(30), version: 3);
        var view = new BatchView(["rem-a"], [a], Now);

        // The same version with another next look cannot come from the store: the view keeps what it holds.
        Assert.True(view.TryRefresh([a with { NextLookAt = Now.AddSeconds(1) }], Now));

        Assert.Equal(Now.AddSeconds(30), view.NextLook);
    }

    [Fact]
    public void A_re_read_with_other_records_is_refused_and_changes_nothing()
    {
        var a = Record("a", Now.AddSeconds(30), version: 1);
        var b = Record("b", Now.AddSeconds(60), version: 1);
        var view = new BatchView(["rem-a", "rem-b"], [a, b], Now);

        Assert.False(view.TryRefresh([a with { NextLookAt = Now, Version = 2 }], Now.AddSeconds(1)));
        Assert.False(view.TryRefresh([a, Record("c", Now, version: 1)], Now.AddSeconds(1)));

        Assert.Equal(Now, view.ReadAt);
        Assert.Equal(Now.AddSeconds(30), view.NextLook);
    }

    private static RemediationRecord Record(string name, DateTimeOffset nextLook, long version) => new()
    {
        RemediationId = "rem-" + name,
        InstanceId = "i-" + name,
        Plan = "fallback",
        Trigger = "test",
        CreatedAt = Now,
        UpdatedAt = Now,
        NextLookAt = nextLook,
        Version = version,
    };
}
