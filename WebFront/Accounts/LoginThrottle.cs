using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace TicketFlow.WebFront.Accounts;

/// <summary>How failed sign-ins slow further attempts (configuration section <c>Accounts:LoginThrottle</c>).</summary>
public sealed class LoginThrottleOptions
{
    public const string Section = "Accounts:LoginThrottle";

    /// <summary>Failures on one account (from anywhere, known email or not) before its attempts wait.</summary>
    public int AccountFreeFailures { get; set; } = 5;

    /// <summary>Failures from one client address (any accounts) before its attempts wait: higher, as many people share an address.</summary>
    public int AddressFreeFailures { get; set; } = 20;

    /// <summary>The first wait; each further failure doubles it, up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A counter with no failure for this long starts from zero again.</summary>
    public TimeSpan ForgetAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How many addresses an account signed in from are remembered (the newest ones).</summary>
    public int GoodAddressesPerAccount { get; set; } = 5;
}

/// <summary>
/// Failed sign-ins slow the next attempts with growing delays, per account and per client address; never a lock. An
/// address this account signed in from before is not slowed by the account's counter (only by its own), so failures
/// from elsewhere cannot keep the owner out. In memory, per WebFront (see docs/ARCHITECTURE.md, "Passwords and sign-in").
/// </summary>
public sealed class LoginThrottle(IOptions<LoginThrottleOptions> options, TimeProvider time)
{
    private const int PruneAbove = 10_000;

    private sealed class Counter
    {
        public int Failures;
        public DateTimeOffset LastFailure;
        public DateTimeOffset NextAttempt;
    }

    private readonly LoginThrottleOptions settings = options.Value;
    private readonly Lock gate = new();
    private readonly Dictionary<string, Counter> accounts = [];
    private readonly Dictionary<string, Counter> addresses = [];
    private readonly Dictionary<string, List<string>> goodAddresses = [];

    /// <summary>How long this attempt must wait before it is checked at all (zero: go ahead).</summary>
    public TimeSpan Wait(string email, IPAddress? client)
    {
        var (account, address, now) = (AccountKey(email), AddressKey(client), time.GetUtcNow());
        lock (gate)
        {
            var wait = Remaining(addresses, address, now);
            var known = goodAddresses.TryGetValue(account, out var good) && good.Contains(address);
            return known ? wait : Max(wait, Remaining(accounts, account, now));
        }
    }

    public void Failed(string email, IPAddress? client)
    {
        var (account, address, now) = (AccountKey(email), AddressKey(client), time.GetUtcNow());
        lock (gate)
        {
            Count(accounts, account, settings.AccountFreeFailures, now);
            Count(addresses, address, settings.AddressFreeFailures, now);
        }
    }

    /// <summary>Remembers the address for the account (its counter no longer slows this address). Neither counter is
    /// cleared: a success elsewhere must not give an attacker fresh tries at this account, nor signing in to one's own
    /// account fresh tries from that address at others.</summary>
    public void Succeeded(string email, IPAddress? client)
    {
        var (account, address) = (AccountKey(email), AddressKey(client));
        lock (gate)
        {
            if (!goodAddresses.TryGetValue(account, out var good)) goodAddresses[account] = good = [];
            good.Remove(address);
            good.Add(address);
            if (good.Count > settings.GoodAddressesPerAccount) good.RemoveAt(0);
        }
    }

    private TimeSpan Remaining(Dictionary<string, Counter> counters, string key, DateTimeOffset now) =>
        counters.TryGetValue(key, out var counter) && !Forgotten(counter, now) && counter.NextAttempt > now ? counter.NextAttempt - now : TimeSpan.Zero;

    private void Count(Dictionary<string, Counter> counters, string key, int free, DateTimeOffset now)
    {
        if (!counters.TryGetValue(key, out var counter) || Forgotten(counter, now))
        {
            if (counters.Count >= PruneAbove) Prune(counters, now);
            counters[key] = counter = new Counter();
        }
        counter.Failures++;
        counter.LastFailure = now;
        if (counter.Failures >= free) counter.NextAttempt = now + Delay(counter.Failures - free);
    }

    /// <summary>FirstDelay, doubled for each failure past the free ones, at most MaxDelay.</summary>
    private TimeSpan Delay(int doublings) =>
        doublings >= 30 ? settings.MaxDelay : Min(settings.MaxDelay, settings.FirstDelay * (1L << doublings));

    private bool Forgotten(Counter counter, DateTimeOffset now) => now - counter.LastFailure > settings.ForgetAfter;

    private void Prune(Dictionary<string, Counter> counters, DateTimeOffset now)
    {
        foreach (var (key, counter) in counters.ToList())
            if (Forgotten(counter, now)) counters.Remove(key);
    }

    private static string AccountKey(string email) => email.Trim().ToUpperInvariant();

    /// <summary>An IPv6 client is counted by its /64: one host usually has the whole prefix to pick addresses from.</summary>
    private static string AddressKey(IPAddress? client)
    {
        if (client is null) return "unknown";
        if (client.IsIPv4MappedToIPv6) return client.MapToIPv4().ToString();
        if (client.AddressFamily != AddressFamily.InterNetworkV6) return client.ToString();
        var bytes = client.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
