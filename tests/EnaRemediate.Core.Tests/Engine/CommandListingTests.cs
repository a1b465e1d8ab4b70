using EnaRemediate.Core.Engine;
using Microsoft.Extensions.Time.Testing;

namespace EnaRemediate.Core.Tests.Engine;

/// <summary>
/// Issue 13: a look reads its commands' status the cheaper way: one listing per command, or one
/// paged listing of the document when its estimated pages are fewer than the commands.
/// </summary>
public sealed class CommandListingTests
{
    private const string Document = "EnaRemediate-CollectHostReport";
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    public void WithoutAnEarlierListingMoreThanTwoCommandsListTheDocument(int commands, bool listsDocument) =>
        Assert.Equal(listsDocument, new CommandListing(_clock).ListsDocument(Document, commands, TimeSpan.FromSeconds(30)));

    [Fact]
    public void ASparseDocumentIsListedForTwoCommandsAndADenseOneCommandByCommand()
    {
        var listing = new CommandListing(_clock);
        // 10 invocations in 20 s: a 30 s window is one page.
        listing.Listed(Document, invocations: 10, TimeSpan.FromSeconds(20));
        Assert.True(listing.ListsDocument(Document, 2, TimeSpan.FromSeconds(30)));
        Assert.False(listing.ListsDocument(Document, 1, TimeSpan.FromSeconds(30)));

        // 400 invocations in 40 s: a 60 s window is 12 pages, dearer than 5 commands listed one by one.
        listing.Listed(Document, invocations: 400, TimeSpan.FromSeconds(40));
        Assert.False(listing.ListsDocument(Document, 5, TimeSpan.FromSeconds(60)));
        Assert.True(listing.ListsDocument(Document, 13, TimeSpan.FromSeconds(60)));
        // Other documents keep their own estimate (none yet).
        Assert.True(listing.ListsDocument("EnaRemediate-InstallDriver", 3, TimeSpan.FromSeconds(60)));
    }

    [Fact]
    public void AnEstimateOlderThanAMinuteIsNotUsed()
    {
        var listing = new CommandListing(_clock);
        listing.Listed(Document, invocations: 400, TimeSpan.FromSeconds(40));
        Assert.False(listing.ListsDocument(Document, 5, TimeSpan.FromSeconds(60)));

        _clock.Advance(TimeSpan.FromSeconds(61));
        Assert.True(listing.ListsDocument(Document, 5, TimeSpan.FromSeconds(60)));
    }
}
