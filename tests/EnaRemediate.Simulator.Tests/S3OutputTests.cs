using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.SimpleSystemsManagement.Model;
using EnaRemediate.Simulator.World;

namespace EnaRemediate.Simulator.Tests;

/// <summary>
/// SendCommand with OutputS3BucketName: the simulated agent writes the full output where SSM's does
/// (PREFIX/COMMAND_ID/INSTANCE_ID/awsrunShellScript/STEP/stdout), and the simulator's S3 answers the
/// real SDK's CreateBucket, GetObject and GetObjectMetadata, with S3's errors for what is not there.
/// </summary>
public sealed class S3OutputTests
{
    private const string Bucket = "stack-output-bucket";

    /// <summary>The real SDK's S3 client on the simulator, with <see cref="Bucket"/> created through it.</summary>
    private static async Task<AmazonS3Client> S3WithBucketAsync(Sim sim)
    {
        var s3 = new AmazonS3Client(new BasicAWSCredentials("test", "test"),
            new AmazonS3Config { ServiceURL = sim.Host.Endpoint.ToString(), AuthenticationRegion = "us-east-1", ForcePathStyle = true });
        await s3.PutBucketAsync(new PutBucketRequest { BucketName = Bucket });
        return s3;
    }

    [Fact]
    public async Task The_full_stdout_of_a_cut_output_is_in_the_bucket_at_the_agents_key()
    {
        await using var sim = await Sim.StartAsync("healthy");
        using var s3 = await S3WithBucketAsync(sim);
        var id = sim.Id("ok");
        var guest = sim.World.Instance(id).Guest!;
        for (var n = 0; n < 400; n++)
        {
            guest.Kernels.Add(new KernelInstall { Version = $"5.10.{n}-custom-build-with-a-long-name", Headers = false });
        }

        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest
        {
            DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = [id], OutputS3BucketName = Bucket, OutputS3KeyPrefix = "runs/",
        });
        Assert.Equal((Bucket, "runs/"), (send.Command.OutputS3BucketName, send.Command.OutputS3KeyPrefix));
        sim.Advance(TimeSpan.FromSeconds(30));
        var invocation = await sim.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = send.Command.CommandId, InstanceId = id });
        Assert.EndsWith("---Output truncated---", invocation.StandardOutputContent);

        var key = $"runs/{send.Command.CommandId}/{id}/awsrunShellScript/collectHostReport/stdout";
        using var stored = await s3.GetObjectAsync(Bucket, key);
        var full = await new StreamReader(stored.ResponseStream).ReadToEndAsync();
        Assert.True(full.Length > 30_000, $"{full.Length}");
        Assert.StartsWith(invocation.StandardOutputContent[..20_000], full);
        Assert.Contains("5.10.399-custom-build-with-a-long-name", full);
        var metadata = await s3.GetObjectMetadataAsync(Bucket, key);
        Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(full), metadata.ContentLength);
        Assert.Equal(stored.ETag, metadata.ETag);
    }

    [Fact]
    public async Task Missing_keys_and_buckets_are_s3s_errors_and_an_unknown_bucket_gets_no_output()
    {
        await using var sim = await Sim.StartAsync("healthy");
        using var s3 = await S3WithBucketAsync(sim);
        var id = sim.Id("ok");
        var send = await sim.Ssm.SendCommandAsync(new SendCommandRequest { DocumentName = "EnaRemediate-CollectHostReport", InstanceIds = [id], OutputS3BucketName = "not-created" });
        sim.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal("Success", (await sim.Ssm.GetCommandInvocationAsync(new GetCommandInvocationRequest { CommandId = send.Command.CommandId, InstanceId = id })).Status.Value);

        var noBucket = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync("not-created", $"{send.Command.CommandId}/{id}/awsrunShellScript/collectHostReport/stdout"));
        Assert.Equal((HttpStatusCode.NotFound, "NoSuchBucket"), (noBucket.StatusCode, noBucket.ErrorCode));
        var noKey = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectAsync(Bucket, "runs/nothing/stdout"));
        Assert.Equal((HttpStatusCode.NotFound, "NoSuchKey"), (noKey.StatusCode, noKey.ErrorCode));
        var head = await Assert.ThrowsAnyAsync<AmazonS3Exception>(() => s3.GetObjectMetadataAsync(Bucket, "runs/nothing/stdout"));
        Assert.Equal(HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task What_the_simulators_s3_does_not_serve_is_refused_not_answered_as_a_read()
    {
        await using var sim = await Sim.StartAsync("healthy");
        using var http = new HttpClient { BaseAddress = sim.Host.Endpoint };
        await http.PutAsync($"/{Bucket}", null);

        var put = await http.PutAsync($"/{Bucket}/some/key", new StringContent("x"));
        var delete = await http.DeleteAsync($"/{Bucket}/some/key");

        Assert.Equal((HttpStatusCode.MethodNotAllowed, HttpStatusCode.MethodNotAllowed), (put.StatusCode, delete.StatusCode));
        Assert.Contains("<Code>MethodNotAllowed</Code>", await put.Content.ReadAsStringAsync());
        Assert.Equal((1, 1), (sim.World.Counters["ObjectPUT"], sim.World.Counters["ObjectDELETE"]));
        Assert.Equal(0, sim.World.Counters["GetObject"]);
    }
}
