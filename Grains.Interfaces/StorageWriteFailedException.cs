using Orleans.Runtime;

namespace TicketFlow.Grains;

/// <summary>
/// A grain's write to storage failed and its outcome is unknown (it may or may not be stored). The activation was
/// deactivated, so the next call reloads from storage; the request is safe to retry with the same idempotency key.
/// </summary>
[GenerateSerializer, Alias("TicketFlow.StorageWriteFailedException")]
public sealed class StorageWriteFailedException : OrleansException
{
    public StorageWriteFailedException()
    {
    }

    public StorageWriteFailedException(string message) : base(message)
    {
    }

    public StorageWriteFailedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
