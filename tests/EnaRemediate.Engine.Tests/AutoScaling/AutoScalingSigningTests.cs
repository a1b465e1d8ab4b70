using System.Diagnostics;
using System.Net;
using Amazon.Runtime;
using EnaRemediate.Aws.AutoScaling;
using EnaRemediate.Aws.Engine;
using Microsoft.Extensions.Time.Testing;

namespace EnaRemediate.Engine.Tests.AutoScaling;

/// <summary>
/// The hand-written Query client signs exactly as an independent SigV4 implementation does:
/// botocore (on every machine of this project) signs the same captured request, and the two
/// Authorization headers must be equal. Reported skipped, with the reason, where python3 with botocore is absent.
/// </summary>
public sealed class AutoScalingSigningTests
{
    private sealed class Capture : HttpMessageHandler
    {
        public HttpRequestMessage? Request { get; private set; }
        public string Body { get; private set; } = "";

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = request;
            Body = await request.Content!.ReadAsStringAsync(cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent("""<DescribeAutoScalingInstancesResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingInstancesResult><AutoScalingInstances><member><InstanceId>i-0123456789abcdef0</InstanceId><AutoScalingGroupName>web-asg</AutoScalingGroupName><LifecycleState>Standby</LifecycleState></member></AutoScalingInstances></DescribeAutoScalingInstancesResult></DescribeAutoScalingInstancesResponse>"""),
            };
        }
    }

    [BotocoreFact]
    public async Task The_signature_matches_botocores_for_the_same_request()
    {
        var capture = new Capture();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 30, 0, TimeSpan.Zero));
        using var client = new AutoScalingQueryClient(new AwsConnection("eu-west-1", null, new SessionAWSCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token/with+chars=")), clock, capture);

        var members = await client.DescribeMembershipAsync(["i-0123456789abcdef0"], CancellationToken.None);

        Assert.Equal(("web-asg", "Standby"), (members["i-0123456789abcdef0"].GroupName, members["i-0123456789abcdef0"].LifecycleState));
        Assert.Equal("https://autoscaling.eu-west-1.amazonaws.com/", capture.Request!.RequestUri!.ToString());
        Assert.Equal("Action=DescribeAutoScalingInstances&Version=2011-01-01&InstanceIds.member.1=i-0123456789abcdef0&MaxRecords=50", capture.Body);
        var ours = capture.Request.Headers.GetValues("Authorization").Single();

        var script = """
import sys, datetime
from unittest import mock
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
body = sys.stdin.read()
req = AWSRequest(method="POST", url="https://autoscaling.eu-west-1.amazonaws.com/", data=body,
                 headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
with mock.patch("botocore.auth.get_current_datetime", return_value=datetime.datetime(2026, 12, 1, 9, 30, 0)):
    SigV4Auth(Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token/with+chars="), "autoscaling", "eu-west-1").add_auth(req)
print(req.headers["Authorization"])
""";
        var python = new ProcessStartInfo("python3", ["-c", script]) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        using (var process = Process.Start(python)!)
        {
            await process.StandardInput.WriteAsync(capture.Body);
            process.StandardInput.Close();
            var theirs = (await process.StandardOutput.ReadToEndAsync()).Trim();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            Assert.True(process.ExitCode == 0, errors);
            Assert.Equal(theirs, ours);
        }
    }
}

/// <summary>A fact that reports skipped, with the reason, where python3 cannot import botocore: never a silent pass.</summary>
public sealed class BotocoreFactAttribute : FactAttribute
{
    public BotocoreFactAttribute()
    {
        try
        {
            using var probe = Process.Start(new ProcessStartInfo("python3", ["-c", "import botocore"]) { RedirectStandardError = true })!;
            probe.WaitForExit();
            if (probe.ExitCode == 0) return;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no python3 at all
        }
        Skip = "python3 with botocore is not installed (tools/setup.sh's machines have it): the signature cannot be cross-checked.";
    }
}
