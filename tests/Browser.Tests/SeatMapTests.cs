using System.Text.RegularExpressions;
using TicketFlow.Testing;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketFlow.Browser.Tests;

/// <summary>
/// The seat map of the demo theatre (<c>evt_demo_051</c>: Stalls rows A–T, Dress Circle A–K, Balcony A–H) in chromium: exact
/// seats picked on the map and held, seats turning taken live, a client that missed a delta converging, the keyboard list,
/// and a seat someone else took first. Every test uses seats no other test touches (its own rows), so they share one WebFront.
/// </summary>
public sealed class SeatMapTests(EmbeddedWebFront site, ITestOutputHelper output) : IClassFixture<EmbeddedWebFront>
{
    private const string Theatre = "evt_demo_051";
    private const string Standard = "evt_demo_051-standard"; // Stalls K–T and the Dress Circle
    private const string Balcony = "evt_demo_051-balcony";

    // Generous: the theatre's sections are provisioned in the background after start, and the CI machine has 2 busy cores.
    private static readonly LocatorAssertionsToHaveClassOptions Live = new() { Timeout = 30_000 };

    [Fact]
    public async Task A_fan_picks_two_seats_on_the_map_holds_them_and_the_hold_page_lists_them()
    {
        await using var session = await site.OpenAsync(output);
        await session.SignInAsync(await site.RegisterAsync());
        var page = await OpenTheatreAsync(session);
        await BrowserSession.AssertAccessibleAsync(page);

        await page.Locator("#seatmap-svg [data-section-id='stalls']").ClickAsync();
        await Expect(page.Locator("#seatmap-title")).ToContainTextAsync("Stalls");
        Assert.True(await page.Locator("#seatmap-svg circle").CountAsync() < 1000, "only the zoomed section's seats are drawn");
        await page.Locator(Seat("stalls-C-5")).ClickAsync();
        await page.Locator(Seat("stalls-C-6")).ClickAsync();
        await Expect(page.Locator(Seat("stalls-C-5"))).ToHaveClassAsync(new Regex(@"\byours\b"));
        await Expect(page.Locator("#seat-selection li")).ToHaveCountAsync(2);
        await Expect(page.Locator("#seat-selection")).ToContainTextAsync("Stalls, row C, seat 6");
        await BrowserSession.AssertAccessibleAsync(page);
        await page.EvaluateAsync("() => document.getElementById('seatmap-heading').scrollIntoView()");
        await BrowserSession.ScreenshotAsync(page, "seatmap");

        await page.GetByRole(AriaRole.Button, new() { Name = "Hold these 2 seats" }).ClickAsync();
        await page.WaitForURLAsync("**/holds/**");
        await Expect(page.Locator("#hold-items")).ToContainTextAsync("Section Stalls · Row C · Seat 5");
        await Expect(page.Locator("#hold-items")).ToContainTextAsync("Section Stalls · Row C · Seat 6");
        session.AssertNoCspViolationOrForeignRequest();
        session.AssertNoErrors();
    }

    [Fact]
    public async Task A_seat_another_fan_holds_turns_taken_on_an_open_map_without_a_reload()
    {
        await using var first = await site.OpenAsync(output);
        await using var second = await site.OpenAsync(output);
        await second.SignInAsync(await site.RegisterAsync());
        var watching = await OpenTheatreAsync(first);
        await watching.Locator("#seat-section").SelectOptionAsync("stalls");
        await Expect(watching.Locator(Seat("stalls-E-4"))).ToHaveClassAsync(new Regex(@"\bfree\b"));

        var buying = await OpenTheatreAsync(second);
        await buying.Locator("#seatmap-svg [data-section-id='stalls']").ClickAsync();
        await buying.Locator(Seat("stalls-E-4")).ClickAsync();
        await buying.GetByRole(AriaRole.Button, new() { Name = "Hold this seat" }).ClickAsync();
        await buying.WaitForURLAsync("**/holds/**");

        await Expect(watching.Locator(Seat("stalls-E-4"))).ToHaveClassAsync(new Regex(@"\bheld\b"), Live);
        await Expect(watching.Locator("#seat-rows input[data-seat-id='stalls-E-4']")).ToHaveCountAsync(0);
        first.AssertNoCspViolationOrForeignRequest();
        first.AssertNoErrors();
    }

    [Fact]
    public async Task A_map_that_missed_a_delta_reloads_the_status_at_the_next_one_and_shows_the_missed_seat_taken()
    {
        var fan = await site.RegisterAsync();
        await using var session = await site.OpenAsync(output);
        var page = await session.NewPageAsync();
        var hub = new HubTap();
        await hub.AttachAsync(page);
        await OpenTheatreAsync(session, page);
        await page.Locator("#seat-section").SelectOptionAsync("circle");
        await Expect(page.Locator(Seat("circle-D-3"))).ToHaveClassAsync(new Regex(@"\bfree\b"));

        hub.Dropping = true; // this delta never reaches the page
        await site.HoldSeatsAsync(fan, Theatre, Standard, "circle-D-3");
        await Eventually.True(() => hub.DroppedFor("circle") > 0, TimeSpan.FromSeconds(30), "the hub sent the circle's delta (and the tap dropped it)");
        hub.Dropping = false;
        await Expect(page.Locator(Seat("circle-D-3"))).ToHaveClassAsync(new Regex(@"\bfree\b")); // it did miss it

        var reloaded = page.WaitForResponseAsync(r => r.Url.EndsWith("/seatmap/status") && r.Status == 200, new() { Timeout = 30_000 });
        await site.HoldSeatsAsync(fan, Theatre, Standard, "circle-D-8"); // the next delta starts past the page's version: a gap
        await reloaded;
        await Expect(page.Locator(Seat("circle-D-8"))).ToHaveClassAsync(new Regex(@"\bheld\b"), Live);
        await Expect(page.Locator(Seat("circle-D-3"))).ToHaveClassAsync(new Regex(@"\bheld\b"), Live);
        session.AssertNoErrors();
    }

    [Fact]
    public async Task A_fan_chooses_a_seat_from_the_list_with_the_keyboard_only_and_holds_it()
    {
        await using var session = await site.OpenAsync(output);
        await session.SignInAsync(await site.RegisterAsync());
        var page = await OpenTheatreAsync(session);

        await page.Locator("#seat-section").FocusAsync(); // where a keyboard user tabs to
        await page.Keyboard.TypeAsync("Dress");           // the select's type-ahead picks the Dress Circle
        await Expect(page.Locator("#seat-rows fieldset").First).ToContainTextAsync("Row A", new() { Timeout = 30_000 });
        await PressUntilFocusedAsync(page, "Tab", "input[aria-label^='Dress Circle, row A, seat 2,']");
        await page.Keyboard.PressAsync("Space");
        await Expect(page.Locator("#seat-selection")).ToContainTextAsync("Dress Circle, row A, seat 2");
        await Expect(page.Locator(Seat("circle-A-2"))).ToHaveClassAsync(new Regex(@"\byours\b")); // the same selection as the map
        await BrowserSession.AssertAccessibleAsync(page);

        await PressUntilFocusedAsync(page, "Shift+Tab", "#seat-hold-button");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/holds/**");
        await Expect(page.Locator("#hold-items")).ToContainTextAsync("Section Dress Circle · Row A · Seat 2");
        session.AssertNoCspViolationOrForeignRequest();
    }

    [Fact]
    public async Task A_seat_taken_before_the_hold_is_named_dropped_from_the_selection_and_best_available_is_offered()
    {
        var rival = await site.RegisterAsync();
        await using var session = await site.OpenAsync(output);
        await session.SignInAsync(await site.RegisterAsync());
        var page = await session.NewPageAsync();
        var hub = new HubTap();
        await hub.AttachAsync(page);
        await OpenTheatreAsync(session, page);
        await page.Locator("#seatmap-svg [data-section-id='balcony']").ClickAsync();
        await page.Locator(Seat("balcony-C-4")).ClickAsync();
        await Expect(page.Locator("#seat-selection li")).ToHaveCountAsync(1);

        hub.Dropping = true; // the page does not learn it in time: its hold is the one that finds out
        await site.HoldSeatsAsync(rival, Theatre, Balcony, "balcony-C-4");
        await Eventually.True(() => hub.DroppedFor("balcony") > 0, TimeSpan.FromSeconds(30), "the hub sent the balcony's delta (and the tap dropped it)");
        await page.GetByRole(AriaRole.Button, new() { Name = "Hold this seat" }).ClickAsync();

        var message = page.Locator("#seat-message");
        await Expect(message).ToContainTextAsync("Balcony, row C, seat 4", new() { Timeout = 30_000 });
        await Expect(message).ToContainTextAsync("taken");
        await Expect(page.Locator("#seat-selection li")).ToHaveCountAsync(0);
        await Expect(page.Locator(Seat("balcony-C-4"))).ToHaveClassAsync(new Regex(@"\bheld\b"));
        Assert.Contains("/events/", page.Url);
        await page.GetByRole(AriaRole.Button, new() { Name = "Find the best available instead" }).ClickAsync();
        await Expect(page.Locator("#best-tier")).ToBeFocusedAsync();
        await Expect(page.Locator("#best-tier")).ToHaveValueAsync(Balcony);
        await BrowserSession.AssertAccessibleAsync(page);
        session.AssertNoCspViolationOrForeignRequest();
    }

    [Fact]
    public async Task The_stadium_map_draws_its_sections_as_outlines_and_only_the_zoomed_sections_seats_and_the_arena_floor_keeps_its_quantity_picker()
    {
        await using var session = await site.OpenAsync(output);
        var page = await session.NewPageAsync();
        await page.GotoAsync(session.Url("/events/evt_demo_053"));
        await Expect(page.Locator("#seatmap-state")).ToContainTextAsync("change colour", new() { Timeout = 60_000 });
        Assert.Equal(72, await page.Locator("#seatmap-svg g.section").CountAsync());
        Assert.Equal(0, await page.Locator("#seatmap-svg circle").CountAsync()); // not 50,000 seats
        await page.EvaluateAsync("() => document.getElementById('seatmap-heading').scrollIntoView()");
        await BrowserSession.ScreenshotAsync(page, "seatmap-stadium");
        await page.Locator("#seatmap-svg [data-section-id='L1']").ClickAsync();
        var seats = await page.Locator("#seatmap-svg circle").CountAsync();
        Assert.InRange(seats, 100, 2_000);
        await Expect(page.Locator("#seatmap-svg circle[tabindex='0']")).ToBeFocusedAsync(); // the keyboard continues in the section
        await BrowserSession.AssertAccessibleAsync(page);

        await page.GotoAsync(session.Url("/events/evt_demo_052"));
        await Expect(page.GetByLabel("Quantity of Standing Floor")).ToBeEnabledAsync();
        await Expect(page.Locator("#hold-button")).ToBeVisibleAsync();
        await Expect(page.Locator("#seatmap-state")).ToContainTextAsync("change colour", new() { Timeout = 60_000 });
        session.AssertNoCspViolationOrForeignRequest();
        session.AssertNoErrors();
    }

    private static string Seat(string seatId) => $"#seatmap-svg circle[data-seat-id='{seatId}']";

    private Task<IPage> OpenTheatreAsync(BrowserSession session) => session.NewPageAsync().ContinueWith(t => OpenTheatreAsync(session, t.Result)).Unwrap();

    /// <summary>Opens the theatre's event page and waits until the map shows the seats' states and the hub is subscribed.</summary>
    private static async Task<IPage> OpenTheatreAsync(BrowserSession session, IPage page)
    {
        await page.GotoAsync(session.Url($"/events/{Theatre}"));
        await Expect(page.Locator("#seatmap-state")).ToContainTextAsync("change colour", new() { Timeout = 60_000 });
        await Expect(page.Locator("#live-state")).ToContainTextAsync("Live", new() { Timeout = 30_000 });
        return page;
    }

    /// <summary>Presses <paramref name="key"/> until the element matching <paramref name="selector"/> has the focus (at most 200 presses).</summary>
    private static async Task PressUntilFocusedAsync(IPage page, string key, string selector)
    {
        for (var i = 0; i < 200; i++)
        {
            await page.Keyboard.PressAsync(key);
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) ?? false", selector)) return;
        }
        throw new InvalidOperationException($"{key} never reached {selector}");
    }
}

/// <summary>
/// Sits between a page and the availability hub (Playwright's WebSocket routing): passes every frame both ways, except that
/// while <see cref="Dropping"/> it drops the hub's <c>seats</c> messages, counting them per section — a lost delta, on demand.
/// </summary>
public sealed class HubTap
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> dropped = new();

    public volatile bool Dropping;

    public int DroppedFor(string sectionId) => dropped.GetValueOrDefault(sectionId);

    public Task AttachAsync(IPage page) => page.RouteWebSocketAsync(new Regex("/hubs/availability"), socket =>
    {
        var server = socket.ConnectToServer();
        socket.OnMessage(frame => { if (frame.Text is { } text) server.Send(text); else server.Send(frame.Binary!); });
        server.OnMessage(frame =>
        {
            if (frame.Text is not { } text) { socket.Send(frame.Binary!); return; }
            if (!Dropping) { socket.Send(text); return; }
            // SignalR's JSON protocol: each message ends with the record separator 0x1E; a frame may carry several.
            var kept = new List<string>();
            foreach (var record in text.Split('\u001e'))
            {
                var section = Regex.Match(record, "\"target\":\"seats\".*\"sectionId\":\"([^\"]+)\"");
                if (section.Success) dropped.AddOrUpdate(section.Groups[1].Value, 1, (_, n) => n + 1);
                else kept.Add(record);
            }
            var rest = string.Join('\u001e', kept);
            if (rest.Length > 0) socket.Send(rest);
        });
    });
}
