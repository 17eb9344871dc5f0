global using Orleans;
global using Orleans.Concurrency;
global using Orleans.Runtime;
global using TicketFlow.Domain;
global using TicketFlow.Domain.Inventory;
global using TicketFlow.Domain.Purchases;
global using TicketFlow.Domain.WaitingRoom;
