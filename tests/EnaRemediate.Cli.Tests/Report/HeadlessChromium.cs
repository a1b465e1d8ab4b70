using System.Diagnostics;

namespace EnaRemediate.Cli.Tests.Report;

/// <summary>Debian's chromium (installed by tools/setup.sh), headless, offline, with a fresh profile each time.</summary>
internal static class HeadlessChromium
{
    private static string Binary => new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("chromium is missing: run `bash tools/setup.sh` (it installs Debian's chromium for the report tests).");

    /// <summary>The DOM after the page rendered (--dump-dom).</summary>
    public static async Task<string> DumpDomAsync(string htmlFile) => (await RunAsync(["--dump-dom", new Uri(htmlFile).AbsoluteUri])).Stdout;

    /// <summary>A PNG of the page at the given size (--screenshot).</summary>
    public static Task ScreenshotAsync(string htmlFile, string pngFile, int width, int height) =>
        RunAsync([$"--screenshot={pngFile}", $"--window-size={width},{height}", new Uri(htmlFile).AbsoluteUri]);

    private static async Task<(string Stdout, string Stderr)> RunAsync(IEnumerable<string> args)
    {
        var profile = Path.Combine(Path.GetTempPath(), "enaremediate-chromium-" + Guid.NewGuid().ToString("N"));
        var start = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", $"--user-data-dir={profile}" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"chromium exit {process.ExitCode}: {await stderr}");
            return (await stdout, await stderr);
        }
        finally
        {
            if (Directory.Exists(profile))
            {
                Directory.Delete(profile, recursive: true);
            }
        }
    }
}
