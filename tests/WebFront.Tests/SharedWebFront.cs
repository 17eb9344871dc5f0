namespace TicketFlow.WebFront.Tests;

/// <summary>
/// One embedded WebFront for all the tests of a class (<c>IClassFixture</c>): starting one takes seconds, and tests that make
/// their own users, events and keys do not need a fresh one each.
/// </summary>
public abstract class SharedWebFront(params (string Key, string Value)[] settings) : IAsyncLifetime
{
    public WebFrontHost Host { get; } = new(settings);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
