using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace EnaRemediate.Driver.Tests.Support;

/// <summary>
/// A local S3 (moto's server) for one test class or collection: install-ena.sh takes its archive
/// only from https:// or s3://, so the tests put archives here and the scripts fetch them with the
/// real aws CLI, pointed at it through AWS_ENDPOINT_URL (<see cref="Environment"/>).
/// </summary>
public sealed class S3Server : IDisposable
{
    public const string Bucket = "enaremediate-tests";

    private readonly Process _process;

    public Uri Endpoint { get; }

    /// <summary>What a script needs to reach this S3 with the aws CLI.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; }

    public S3Server()
    {
        var port = FreePort();
        Endpoint = new Uri($"http://127.0.0.1:{port}");
        Environment = new Dictionary<string, string?>
        {
            ["AWS_ENDPOINT_URL"] = Endpoint.ToString().TrimEnd('/'),
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["AWS_DEFAULT_REGION"] = "us-east-1",
        };
        var start = new ProcessStartInfo("moto_server") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-H", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("moto_server did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("moto_server is missing: run tools/setup.sh (it installs moto[server] and the aws CLI).", e);
        }
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        WaitUntilListening();
        Aws("s3", "mb", $"s3://{Bucket}");
    }

    /// <summary>Uploads FILE as KEY and returns its s3:// URL.</summary>
    public string Put(string file, string key)
    {
        Aws("s3", "cp", "--only-show-errors", file, $"s3://{Bucket}/{key}");
        return $"s3://{Bucket}/{key}";
    }

    /// <summary>ENVIRONMENT plus what reaches this S3.</summary>
    public Dictionary<string, string?> With(IReadOnlyDictionary<string, string?>? environment = null)
    {
        var merged = new Dictionary<string, string?>(Environment);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>()) merged[name] = value;
        return merged;
    }

    private void Aws(params string[] arguments)
    {
        var result = Shell.Run("aws", arguments, Environment);
        Assert.True(result.ExitCode == 0, $"aws {string.Join(' ', arguments)}:\n{result}");
    }

    private void WaitUntilListening()
    {
        // moto's first answer can take seconds on a loaded machine: a slow answer is retried like a refused connection.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        for (var attempt = 0; attempt < 150; attempt++)
        {
            if (_process.HasExited) throw new InvalidOperationException($"moto_server exited with {_process.ExitCode}");
            try
            {
                using var response = client.GetAsync(Endpoint).GetAwaiter().GetResult();
                return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                Thread.Sleep(200);
            }
        }
        throw new InvalidOperationException($"moto_server did not answer on {Endpoint}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
        _process.Dispose();
    }
}
