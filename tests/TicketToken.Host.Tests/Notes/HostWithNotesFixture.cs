using TicketToken.BuildingBlocks.Hosting;

namespace TicketToken.Host.Tests.Notes;

/// <summary>Every module of the real binary plus the test-only <see cref="NotesModule"/>, on a fresh database, for one test class.</summary>
public sealed class HostWithNotesFixture : HostFixture
{
    protected override IReadOnlyList<Module> Modules() => [.. HostModules.All(), new NotesModule()];
}
