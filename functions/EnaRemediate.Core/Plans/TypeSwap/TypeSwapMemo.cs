namespace EnaRemediate.Core.Plans.TypeSwap;

/// <summary>Keys and undo actions of the type-swap plan.</summary>
public static class TypeSwapMemo
{
    /// <summary>The type the instance had when found (recorded before the first type change).</summary>
    public const string OriginalType = "swap.originalType";
    /// <summary>Undo: set the instance type back; Parameters["type"] holds it.</summary>
    public const string RestoreTypeUndo = "restore-instance-type";
    /// <summary>Set when the swap failed before the driver was installed: offline repair is the next route.</summary>
    public const string NextRoute = "next.route";
}
