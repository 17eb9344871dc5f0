using Orleans.Runtime;

namespace TicketFlow.Grains;

/// <summary>
/// A grain's database could not be reached (restarting, shutting down, refusing connections) while it served the call:
/// the call may or may not have taken effect; retry it later with the same idempotency key.
/// </summary>
[GenerateSerializer, Alias("TicketFlow.DatabaseUnavailableException")]
public sealed class DatabaseUnavailableException : OrleansException
{
    public DatabaseUnavailableException()
    {
    }

    public DatabaseUnavailableException(string message) : base(message)
    {
    }

    public DatabaseUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
