using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.Internal;
using Amazon.SimpleSystemsManagement;

namespace EnaRemediate.Bench.Fleet;

/// <summary>
/// The AWS SDK's own clients with their default retry behaviour (Standard mode: three attempts,
/// jittered exponential back-off, the shared retry quota), except that the back-off sleeps on the
/// simulated clock: a throttled call waits as long in EC2 time as it would in real time.
/// </summary>
internal static class VirtualTimeClients
{
    public static (IAmazonEC2 Ec2, IAmazonSimpleSystemsManagement Ssm) Create(Uri endpoint, VirtualClock clock)
    {
        var credentials = new BasicAWSCredentials("bench", "bench");
        // A bounded pool: ten thousand workers share the loopback connections instead of opening one each.
        var ec2 = new AmazonEC2Config { ServiceURL = endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxConnectionsPerServer = 64 };
        var ssm = new AmazonSimpleSystemsManagementConfig { ServiceURL = endpoint.ToString(), AuthenticationRegion = "us-east-1", MaxConnectionsPerServer = 64 };
        return (new Ec2Client(credentials, ec2, clock), new SsmClient(credentials, ssm, clock));
    }

    private sealed class Ec2Client(AWSCredentials credentials, AmazonEC2Config config, VirtualClock clock) : AmazonEC2Client(credentials, config)
    {
        // Read by the base constructor (pipeline set-up), hence a field initialiser: those run first.
        private readonly VirtualClock _clock = clock;

        protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
        {
            base.CustomizeRuntimePipeline(pipeline);
            SleepBackoffOn(pipeline, Config, _clock);
        }
    }

    private sealed class SsmClient(AWSCredentials credentials, AmazonSimpleSystemsManagementConfig config, VirtualClock clock) : AmazonSimpleSystemsManagementClient(credentials, config)
    {
        private readonly VirtualClock _clock = clock;

        protected override void CustomizeRuntimePipeline(RuntimePipeline pipeline)
        {
            base.CustomizeRuntimePipeline(pipeline);
            SleepBackoffOn(pipeline, Config, _clock);
        }
    }

    private static void SleepBackoffOn(RuntimePipeline pipeline, IClientConfig config, VirtualClock clock) =>
        pipeline.ReplaceHandler<RetryHandler>(new RetryHandler(new SimulatedBackoff(config, clock)));

    /// <summary>The SDK's standard policy, its delay computed as the SDK computes it, slept in simulated time.</summary>
    private sealed class SimulatedBackoff(IClientConfig config, VirtualClock clock) : StandardRetryPolicy(config)
    {
        public override void WaitBeforeRetry(IExecutionContext executionContext) =>
            throw new InvalidOperationException("the baseline only makes asynchronous calls");

        // The context overload the SDK now uses is internal; this one computes the same jittered
        // exponential delay from the retry count.
#pragma warning disable CS0618
        public override Task WaitBeforeRetryAsync(IExecutionContext executionContext) =>
            clock.SleepAsync(TimeSpan.FromMilliseconds(CalculateRetryDelay(executionContext.RequestContext.Retries, MaxBackoffInMilliseconds)));
#pragma warning restore CS0618
    }
}
