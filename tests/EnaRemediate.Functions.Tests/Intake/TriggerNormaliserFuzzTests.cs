using EnaRemediate.Core.Engine;
using System.Text.Json.Nodes;
using CsCheck;
using EnaRemediate.Functions.Intake;
using EnaRemediate.Functions.Tests.Support;

namespace EnaRemediate.Functions.Tests.Intake;

/// <summary>
/// Mutated real events: whatever arrives, intake answers with a decision and a reason, never
/// throws, and only ever accepts well-formed instance ids.
/// </summary>
public sealed class TriggerNormaliserFuzzTests
{
    private static readonly string[] Samples = Fixtures.EventNames.Select(Fixtures.Event).ToArray();
    private static readonly TriggerNormaliser Normaliser = new(RemediationMode.Diagnose);

    private static readonly Gen<JsonNode?> HostileValue = Gen.OneOf<JsonNode?>(
        Gen.Const<JsonNode?>(() => null),
        Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
        Gen.Long.Select(n => (JsonNode?)JsonValue.Create(n)),
        Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
        Gen.Const<JsonNode?>(() => JsonValue.Create("i-0123456789abcdef0")),
        Gen.Const<JsonNode?>(() => JsonValue.Create("ALARM")),
        Gen.Const<JsonNode?>(() => new JsonArray()),
        Gen.Const<JsonNode?>(() => new JsonObject()),
        Gen.String.Array[0, 4].Select(a => (JsonNode?)new JsonArray(a.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray())));

    private static void AssertWellFormed(IntakeDecision decision)
    {
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
        if (decision.Outcome == IntakeOutcome.Accepted)
        {
            Assert.NotNull(decision.Request);
            Assert.InRange(decision.Request!.InstanceIds.Count, 1, InstanceIds.MaxPerRequest);
            Assert.All(decision.Request.InstanceIds, id => Assert.True(InstanceIds.IsValid(id), id));
        }
        else
        {
            Assert.Null(decision.Request);
        }
    }

    [Fact]
    public void Replacing_or_removing_any_field_never_crashes_and_never_accepts_a_bad_id()
    {
        Gen.Select(Gen.Int[0, Samples.Length - 1], Gen.Int[0, 10_000], Gen.Bool, HostileValue)
            .Sample((sample, at, remove, value) =>
            {
                var root = JsonNode.Parse(Samples[sample])!;
                var nodes = Descendants(root).ToList();
                var target = nodes[at % nodes.Count];
                Mutate(target, remove, value);
                AssertWellFormed(Normaliser.Normalise(root.ToJsonString()));
            }, iter: 3000);
    }

    [Fact]
    public void Truncated_or_byte_flipped_events_never_crash()
    {
        Gen.Select(Gen.Int[0, Samples.Length - 1], Gen.Int[0, 100_000], Gen.Char)
            .Sample((sample, cut, flip) =>
            {
                var text = Samples[sample];
                AssertWellFormed(Normaliser.Normalise(text[..(cut % (text.Length + 1))]));
                var chars = text.ToCharArray();
                chars[cut % chars.Length] = flip;
                AssertWellFormed(Normaliser.Normalise(new string(chars)));
            }, iter: 3000);
    }

    [Fact]
    public void Deep_nesting_is_rejected_not_a_stack_overflow()
    {
        var deep = new string('[', 10_000) + new string(']', 10_000);
        Assert.Equal(IntakeOutcome.Rejected, Normaliser.Normalise(deep).Outcome);
        var deepSns = "{\"Records\":[{\"EventSource\":\"aws:sns\",\"Sns\":{\"Message\":\"" + new string('[', 5000) + "\"}}]}";
        AssertWellFormed(Normaliser.Normalise(deepSns));
    }

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        var children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.OfType<JsonNode>())
            foreach (var d in Descendants(child)) yield return d;
    }

    private static void Mutate(JsonNode target, bool remove, JsonNode? value)
    {
        var parent = target.Parent;
        if (parent is null) return;
        var copy = value?.DeepClone();
        switch (parent)
        {
            case JsonObject o:
                var name = o.First(p => ReferenceEquals(p.Value, target)).Key;
                if (remove) o.Remove(name); else o[name] = copy;
                break;
            case JsonArray a:
                var index = a.IndexOf(target);
                if (remove) a.RemoveAt(index); else a[index] = copy;
                break;
        }
    }
}
