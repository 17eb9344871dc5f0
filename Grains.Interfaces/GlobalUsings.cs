global using Orleans;
global using Orleans.Concurrency;
global using TicketFlow.Domain.Inventory;
global using TicketFlow.Domain.Purchases;
