using TicketFlow.Domain;
using TicketFlow.Domain.Purchases;
using TicketFlow.Domain.Seating;
using TicketFlow.Grains.Seating;

namespace TicketFlow.Grains.Purchases;

/// <summary>
/// Holds a reserved line's seats on its section grains. Exact seats: each section holds its own, in parallel. Best
/// available, sections nearest the stage first: side by side in one row of one section if any has room; else (unless
/// <c>together</c>) in neighbouring rows of one section; else split over sections in order. Every section asked is added
/// to <c>touched</c>, so the shopper releases the hold there if anything of the hold is refused.
/// </summary>
internal sealed class SeatPicker(IGrainFactory grains, PlaceHoldRequest request, HoldLine line, DateTimeOffset expiresAt, List<Func<Task>> touched)
{
    private readonly SeatChoice choice = line.Choice!;

    public async Task<LineOutcome> HoldAsync()
    {
        try
        {
            return choice.Exact.Count > 0 ? await HoldExactAsync() : await HoldBestAsync();
        }
        catch (Exception error) when (GrainCallFailures.IsTransient(error))
        {
            return new LineOutcome(ProblemCodes.Unavailable, line, []);
        }
    }

    private async Task<LineOutcome> HoldExactAsync()
    {
        var replies = await Task.WhenAll(choice.Exact.Select(pick => AskAsync(pick.SectionId, pick.SeatIds, pick.SeatIds.Count, together: false)));
        var refused = replies.Where(r => !r.Granted).ToList();
        if (refused.Count == 0) return Held(replies.SelectMany(r => r.Seats));
        // The seats someone took are what the buyer must hear about; other refusals (closed, expired) come next.
        var code = refused.Any(r => r.Error == ProblemCodes.SeatTaken) ? ProblemCodes.SeatTaken : refused[0].Error!;
        return new LineOutcome(code, line, refused.Where(r => r.Error == code).SelectMany(r => r.SeatIds).ToList());
    }

    private async Task<LineOutcome> HoldBestAsync()
    {
        var free = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var section in choice.Candidates)
        {
            var reply = await AskAsync(section, null, line.Quantity, together: true);
            if (reply.Granted) return Held(reply.Seats);
            if (reply.Error is not (ProblemCodes.SoldOut or ProblemCodes.NotTogether)) return new LineOutcome(reply.Error, line, []);
            free[section] = reply.FreeOfTier;
        }
        var enough = free.Values.Sum() >= line.Quantity;
        if (choice.Together || !enough) return new LineOutcome(enough ? ProblemCodes.NotTogether : ProblemCodes.SoldOut, line, []);
        foreach (var section in choice.Candidates.Where(s => free[s] >= line.Quantity))
        {
            var reply = await AskAsync(section, null, line.Quantity, together: false);
            if (reply.Granted) return Held(reply.Seats);
        }
        // No one section has them all: as many as each has, nearest the stage first.
        var seats = new List<HeldSeat>();
        foreach (var section in choice.Candidates.Where(s => free[s] > 0))
        {
            var reply = await AskAsync(section, null, Math.Min(free[section], line.Quantity - seats.Count), together: false);
            if (reply.Granted) seats.AddRange(reply.Seats);
            if (seats.Count >= line.Quantity) return Held(seats);
        }
        return new LineOutcome(ProblemCodes.SoldOut, line, []);
    }

    private Task<SeatHoldReply> AskAsync(string sectionId, IReadOnlyList<string>? seatIds, int quantity, bool together)
    {
        var section = HoldLineGrains.Section(grains, request.EventId, sectionId);
        touched.Add(() => section.Release(request.HoldId));
        return section.Hold(new SeatHoldRequest(request.HoldId, request.UserId, line.TierId, seatIds, quantity, together, expiresAt));
    }

    private LineOutcome Held(IEnumerable<HeldSeat> seats)
    {
        var held = seats.ToList();
        return new LineOutcome(null, line with { Quantity = held.Count, Seats = held, Choice = null }, []);
    }
}
