namespace TicketFlow.WebFront.Site;

/// <summary>One labelled input of a server-rendered form with its errors (Pages/Shared/_Field.cshtml).</summary>
public sealed record FieldModel(string Id, string Name, string Label, string Type, string? Value, string Autocomplete, string[]? Errors, string? Hint = null);
