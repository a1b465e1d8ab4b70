using System.Text;

namespace EnaRemediate.Simulator.Ssm;

/// <summary>
/// A finished invocation's stdout or stderr as SSM keeps it, in UTF-8: a fleet's outputs are kept
/// for the whole run (a report with ENA's counters is ~4,000 characters, 10,000 of them ~80 MB as
/// .NET strings), and they are nearly all ASCII, whose head is read without decoding the rest.
/// </summary>
internal sealed class StoredText
{
    public static readonly StoredText Empty = new("");

    private readonly byte[] _utf8;
    private readonly bool _ascii;

    public StoredText(string text)
    {
        _utf8 = Encoding.UTF8.GetBytes(text);
        Length = text.Length;
        _ascii = _utf8.Length == text.Length;
    }

    /// <summary>In UTF-16 characters, as the agent's cuts count here.</summary>
    public int Length { get; }

    public ReadOnlySpan<byte> Utf8 => _utf8;

    /// <summary>The first <paramref name="characters"/> characters (all of it when shorter).</summary>
    public string Head(int characters) =>
        characters >= Length ? ToString()
        : _ascii ? Encoding.ASCII.GetString(_utf8, 0, characters)
        : ToString()[..characters];

    public override string ToString() => Encoding.UTF8.GetString(_utf8);
}
