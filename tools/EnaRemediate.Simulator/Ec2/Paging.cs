using System.Globalization;
using System.Text;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Ec2;

/// <summary>NextToken/MaxResults pagination: the token is an opaque offset into the (stable, ordered) result list.</summary>
internal static class Paging
{
    /// <summary>
    /// One page. A MaxResults outside min..max is refused, except above max where
    /// <paramref name="clampAbove"/> says EC2 answers a page of max instead (DescribeVolumes: "if
    /// you specify a value larger than 500, only 500 items are returned"; DescribeSnapshots the
    /// same at 1,000): the AWS CLI sends MaxResults=1000 to both.
    /// </summary>
    public static (IReadOnlyList<T> Page, string? NextToken) Page<T>(IReadOnlyList<T> all, QueryRequest request, int min, int max, bool clampAbove = false)
    {
        var maxResults = request.Int("MaxResults");
        if (clampAbove && maxResults > max)
        {
            maxResults = max;
        }
        if (maxResults is { } m && (m < min || m > max))
        {
            throw new ApiException("InvalidParameterValue", $"Value ( {m} ) for parameter maxResults is invalid. Expecting a value between {min} and {max}.");
        }
        var offset = Decode(request.Get("NextToken"));
        if (offset > all.Count)
        {
            throw new ApiException("InvalidParameterValue", "The specified NextToken is not valid.");
        }
        var size = maxResults ?? all.Count;
        var page = all.Skip(offset).Take(size).ToList();
        var next = offset + page.Count < all.Count ? Encode(offset + page.Count) : null;
        return (page, next);
    }

    private static string Encode(int offset) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("sim-offset:" + offset.ToString(CultureInfo.InvariantCulture)));

    private static int Decode(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            if (text.StartsWith("sim-offset:", StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(11), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
            {
                return offset;
            }
        }
        catch (FormatException)
        {
            // Falls through to the EC2 error below.
        }
        throw new ApiException("InvalidParameterValue", "The specified NextToken is not valid.");
    }
}
