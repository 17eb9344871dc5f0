using Orleans.Runtime;

namespace TicketFlow.WebFront.Cluster;

/// <summary>
/// The grain factory endpoints use in cluster mode: the connected client's, or, while there is none, a refusal
/// (<see cref="ClusterUnavailableException"/>) instead of a call that could not go anywhere.
/// </summary>
public sealed class ClusterGrainFactory(ClusterClientConnection connection) : IGrainFactory
{
    private IGrainFactory Client => connection.Client ?? throw new ClusterUnavailableException(connection.State);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithGuidKey =>
        Client.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithIntegerKey =>
        Client.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null) where TGrainInterface : IGrainWithStringKey =>
        Client.GetGrain<TGrainInterface>(primaryKey, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey => Client.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey => Client.GetGrain<TGrainInterface>(primaryKey, keyExtension, grainClassNamePrefix);

    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
        Client.CreateObjectReference<TGrainObserverInterface>(obj);

    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj) where TGrainObserverInterface : IGrainObserver =>
        Client.DeleteObjectReference<TGrainObserverInterface>(obj);

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => Client.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => Client.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => Client.GetGrain(grainInterfaceType, grainPrimaryKey);

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => Client.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => Client.GetGrain(grainInterfaceType, grainPrimaryKey, keyExtension);

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId) where TGrainInterface : IAddressable => Client.GetGrain<TGrainInterface>(grainId);

    public IAddressable GetGrain(GrainId grainId) => Client.GetGrain(grainId);

    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => Client.GetGrain(grainId, interfaceType);

    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey, string grainClassNamePrefix) => Client.GetGrain(interfaceType, grainKey, grainClassNamePrefix);

    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey) => Client.GetGrain(interfaceType, grainKey);
}
