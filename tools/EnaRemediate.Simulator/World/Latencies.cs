namespace EnaRemediate.Simulator.World;

/// <summary>
/// How long things take in EC2 (issue 3 item 5), drawn uniformly from each range with the
/// instance's own seeded random source, so one seed always gives the same timeline.
/// </summary>
public static class Latencies
{
    public static readonly (int Min, int Max) Stopping = (30, 90);
    public static readonly (int Min, int Max) ForcedStopping = (5, 20);
    public static readonly (int Min, int Max) Pending = (15, 40);
    public static readonly (int Min, int Max) Boot = (20, 60);
    public static readonly (int Min, int Max) StatusChecks = (60, 180);
    public static readonly (int Min, int Max) SsmRegistration = (10, 45);
    public static readonly (int Min, int Max) ShuttingDown = (20, 60);
    public static readonly (int Min, int Max) DkmsBuild = (60, 180);
    public static readonly (int Min, int Max) ShortCommand = (2, 8);
    public static readonly (int Min, int Max) CommandPickup = (1, 3);
    /// <summary>How long after SendCommand SSM still answers InvocationDoesNotExist (eventual consistency, FACTS.md §4).</summary>
    public static readonly (int Min, int Max) InvocationListing = (1, 3);
    public static readonly (int Min, int Max) SnapshotCompletion = (30, 120);
    public static readonly (int Min, int Max) ImageAvailable = (30, 120);
    public static readonly (int Min, int Max) VolumeAttachment = (2, 10);
    /// <summary>ec2-bundle-vol and ec2-upload-bundle of a root file system (minutes: it is read, compressed, encrypted and uploaded in 10 MB parts).</summary>
    public static readonly (int Min, int Max) Rebundle = (300, 900);

    public static TimeSpan Draw(this Random random, (int Min, int Max) range) =>
        TimeSpan.FromSeconds(random.Next(range.Min, range.Max + 1));
}
