using TicketFlow.Runtime;

namespace TicketFlow.Runtime.Tests.Grains;

public interface IReminderProbeGrain : IGrainWithStringKey
{
    Task Start(TimeSpan period);

    Task Stop();

    [ReadOnly]
    Task<ReminderLog> Log();
}

public sealed class ReminderLog
{
    public int Ticks { get; set; }
    public List<string> Silos { get; set; } = [];
}

public sealed class ReminderProbeGrain([PersistentState("ticks")] IPersistentState<ReminderLog> log) : Grain, IReminderProbeGrain, IRemindable
{
    public Task Start(TimeSpan period) => RegisterOrUpdateReminder("probe", period, period);

    public Task Stop() => UnregisterReminder("probe");

    public Task<ReminderLog> Log() => Task.FromResult(log.State);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        log.State.Ticks++;
        if (!log.State.Silos.Contains(SiloIdentity)) log.State.Silos.Add(SiloIdentity);
        await log.WriteStateAsync();
    }
}
