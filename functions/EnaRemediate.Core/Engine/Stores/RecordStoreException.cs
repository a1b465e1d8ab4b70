namespace EnaRemediate.Core.Engine.Stores;

/// <summary>
/// The record store cannot be read or written (a corrupt file, a lock held too long, a newer
/// schema). The message is for the operator: what is wrong, and that nothing was changed.
/// </summary>
public sealed class RecordStoreException(string message) : Exception(message);
