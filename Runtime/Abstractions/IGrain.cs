namespace TicketFlow.Runtime;

/// <summary>Marker for grain interfaces. A grain is addressed by its type and a string key.</summary>
public interface IGrainWithStringKey;

/// <summary>Creates references to grains. A reference never activates anything by itself.</summary>
public interface IGrainFactory
{
    /// <summary>A reference to the grain behind <typeparamref name="TGrain"/> with this key; valid across deactivation and moves.</summary>
    TGrain GetGrain<TGrain>(string key) where TGrain : IGrainWithStringKey;
}
