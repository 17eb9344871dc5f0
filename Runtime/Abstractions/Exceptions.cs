namespace TicketFlow.Runtime;

/// <summary>The call had no effect; sending it again is safe.</summary>
public abstract class RetryableGrainException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A conditional write found a newer version in storage: this activation was stale and has been deactivated.</summary>
public sealed class InconsistentStateException(string message, Exception? inner = null) : RetryableGrainException(message, inner);

/// <summary>No silo could accept the call (none owns the grain, or the owner is gone or shutting down).</summary>
public sealed class SiloUnavailableException(string message, Exception? inner = null) : RetryableGrainException(message, inner);

/// <summary>The call was sent but no answer came in time: it may or may not have taken effect.</summary>
public sealed class GrainCallTimeoutException(string message, Exception? inner = null) : TimeoutException(message, inner);

/// <summary>The call may have reached the silo, but the connection broke before the answer: outcome unknown.</summary>
public sealed class GrainCallOutcomeUnknownException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>An exception thrown by grain code on another silo whose type could not be recreated here.</summary>
public sealed class GrainException(string originalType, string message) : Exception(message)
{
    public string OriginalType { get; } = originalType;
}
