using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using EnaRemediate.Aws.Engine;
using EnaRemediate.Core.Engine.Ports;

namespace EnaRemediate.Aws.AutoScaling;

/// <summary>
/// A small Auto Scaling client: the registry here has no AWSSDK.AutoScaling, so this speaks the
/// Query protocol itself (form POST, Version 2011-01-01, XML answers) and signs with Signature
/// Version 4 through AWSSDK.Core (<see cref="AWS4Signer.ComputeSignature(ImmutableCredentials,string,DateTime,string,string,string)"/>
/// derives the key and signs the canonical request built here). Only the three calls the engine needs.
/// </summary>
public sealed class AutoScalingQueryClient : IAutoScalingPort, IDisposable
{
    public const string ApiVersion = "2011-01-01";
    private const string Service = "autoscaling";
    private const string ContentType = "application/x-www-form-urlencoded; charset=utf-8";
    /// <summary>DescribeAutoScalingInstances takes at most 50 ids per call.</summary>
    private const int DescribeBatch = 50;
    private static readonly XNamespace Ns = "http://autoscaling.amazonaws.com/doc/2011-01-01/";

    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private readonly string _region;
    private readonly Lazy<AWSCredentials> _credentials;
    private readonly TimeProvider _time;

    public AutoScalingQueryClient(AwsConnection connection, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        _region = connection.Region ?? Environment.GetEnvironmentVariable("AWS_REGION") ?? Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION") ?? AwsConnection.DefaultRegion;
        _endpoint = new Uri(connection.EndpointUrl ?? $"https://autoscaling.{_region}.amazonaws.com/");
        // The default chain (Lambda's role, a profile) is resolved at the first call, as the SDK's own clients do.
        _credentials = new Lazy<AWSCredentials>(() => connection.Credentials ?? Amazon.Runtime.Credentials.DefaultAWSCredentialsIdentityResolver.GetCredentials(new Amazon.EC2.AmazonEC2Config()));
        _time = time ?? TimeProvider.System;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
    }

    public async Task<IReadOnlyDictionary<string, AutoScalingMembership>> DescribeMembershipAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        var members = new Dictionary<string, AutoScalingMembership>(StringComparer.Ordinal);
        foreach (var chunk in instanceIds.Distinct(StringComparer.Ordinal).Chunk(DescribeBatch))
        {
            string? nextToken = null;
            do
            {
                var parameters = Members("InstanceIds", chunk);
                parameters.Add(("MaxRecords", DescribeBatch.ToString(CultureInfo.InvariantCulture)));
                if (nextToken is not null) parameters.Add(("NextToken", nextToken));
                var result = await CallAsync("DescribeAutoScalingInstances", parameters, cancellationToken);
                foreach (var member in result.Element(Ns + "AutoScalingInstances")?.Elements(Ns + "member") ?? [])
                {
                    var id = (string?)member.Element(Ns + "InstanceId");
                    var group = (string?)member.Element(Ns + "AutoScalingGroupName");
                    var state = (string?)member.Element(Ns + "LifecycleState");
                    if (id is not null && group is not null && state is not null) members[id] = new AutoScalingMembership(id, group, state);
                }
                nextToken = (string?)result.Element(Ns + "NextToken") is { Length: > 0 } token ? token : null;
            }
            while (nextToken is not null);
        }
        return members;
    }

    public Task EnterStandbyAsync(string groupName, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        var parameters = Members("InstanceIds", instanceIds);
        parameters.Add(("AutoScalingGroupName", groupName));
        parameters.Add(("ShouldDecrementDesiredCapacity", "true"));
        return CallAsync("EnterStandby", parameters, cancellationToken);
    }

    public Task ExitStandbyAsync(string groupName, IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        var parameters = Members("InstanceIds", instanceIds);
        parameters.Add(("AutoScalingGroupName", groupName));
        return CallAsync("ExitStandby", parameters, cancellationToken);
    }

    private static List<(string, string)> Members(string name, IEnumerable<string> values) =>
        values.Select((v, i) => ($"{name}.member.{i + 1}", v)).ToList();

    /// <summary>One signed call; answers the action's Result element, or throws <see cref="AwsCallException"/> with Auto Scaling's error code.</summary>
    private async Task<XElement> CallAsync(string action, List<(string Name, string Value)> parameters, CancellationToken cancellationToken)
    {
        var body = Encode([("Action", action), ("Version", ApiVersion), .. parameters]);
        using var request = await SignedRequestAsync(body);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new AwsCallException(action, "RequestFailed", e.Message);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            XDocument document;
            try { document = XDocument.Parse(text); }
            catch (System.Xml.XmlException) { throw new AwsCallException(action, $"HTTP{(int)response.StatusCode}", "Auto Scaling answered something that is not XML."); }
            if (!response.IsSuccessStatusCode || document.Root?.Name.LocalName == "ErrorResponse")
            {
                var error = document.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
                var code = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Code")?.Value ?? $"HTTP{(int)response.StatusCode}";
                var message = error?.Elements().FirstOrDefault(e => e.Name.LocalName == "Message")?.Value ?? "no message";
                throw new AwsCallException(action, code, message, throttled: code is "Throttling" || response.StatusCode == HttpStatusCode.TooManyRequests);
            }
            return document.Root?.Element(Ns + action + "Result") ?? new XElement(Ns + action + "Result");
        }
    }

    /// <summary>SigV4 over host, content-type and x-amz-date (plus the session token when there is one).</summary>
    private async Task<HttpRequestMessage> SignedRequestAsync(string body)
    {
        var credentials = await _credentials.Value.GetCredentialsAsync();
        var signedAt = _time.GetUtcNow().UtcDateTime;
        var amzDate = signedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var host = _endpoint.IsDefaultPort ? _endpoint.Host : $"{_endpoint.Host}:{_endpoint.Port}";
        var headers = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["content-type"] = ContentType,
            ["host"] = host,
            ["x-amz-date"] = amzDate,
        };
        if (credentials.UseToken) headers["x-amz-security-token"] = credentials.Token;
        var signedHeaders = string.Join(";", headers.Keys);
        var canonical = string.Join("\n",
            "POST",
            _endpoint.AbsolutePath,
            "",
            string.Concat(headers.Select(h => $"{h.Key}:{h.Value}\n")),
            signedHeaders,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body))));
        var signature = AWS4Signer.ComputeSignature(credentials, _region, signedAt, Service, signedHeaders, canonical);

        var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        request.Headers.TryAddWithoutValidation("X-Amz-Date", amzDate);
        if (credentials.UseToken) request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
        request.Headers.TryAddWithoutValidation("Authorization", signature.ForAuthorizationHeader);
        return request;
    }

    /// <summary>RFC 3986 form encoding, as SigV4 and the Query protocol expect (spaces as %20).</summary>
    private static string Encode(IEnumerable<(string Name, string Value)> parameters) =>
        string.Join("&", parameters.Select(p => $"{Uri.EscapeDataString(p.Name)}={Uri.EscapeDataString(p.Value)}"));

    public void Dispose() => _http.Dispose();
}
