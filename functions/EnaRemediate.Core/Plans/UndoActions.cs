namespace EnaRemediate.Core.Plans;

/// <summary>The kinds of undo entries the plans write; the rollback step reads them.</summary>
public static class UndoActions
{
    /// <summary>The instance was running when found and a step stopped it: it must end running.</summary>
    public const string StartAgain = "start-again";
    /// <summary>A step changed enaSupport; Parameters["found"] holds the value it had when found.</summary>
    public const string RestoreEnaSupport = "restore-ena-support";
}
