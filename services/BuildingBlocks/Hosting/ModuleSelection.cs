namespace TicketToken.BuildingBlocks.Hosting;

/// <summary>The modules this host runs, chosen by <c>TICKETTOKEN__SERVICES</c>.</summary>
public sealed class ModuleSelection
{
    private ModuleSelection(IReadOnlyList<Module> modules) => Modules = modules;

    public IReadOnlyList<Module> Modules { get; }

    public IEnumerable<string> AppIds => Modules.Select(m => m.AppId);

    public bool Runs(string appId) => Modules.Any(m => m.AppId == appId);

    public static ModuleSelection Select(IReadOnlyList<Module> available, string services)
    {
        var duplicate = available.GroupBy(m => m.AppId).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two modules claim app-id '{duplicate.Key}'.");
        }

        if (string.IsNullOrWhiteSpace(services) || services.Trim().Equals("all", StringComparison.OrdinalIgnoreCase))
        {
            return new ModuleSelection(available);
        }

        var wanted = services.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = wanted.Where(id => available.All(m => !m.AppId.Equals(id, StringComparison.OrdinalIgnoreCase))).ToList();
        if (unknown.Count > 0)
        {
            throw new InvalidOperationException(
                $"TICKETTOKEN__SERVICES names unknown module(s) {string.Join(", ", unknown)}; known: all, {string.Join(", ", available.Select(m => m.AppId))}.");
        }

        return new ModuleSelection(available.Where(m => wanted.Contains(m.AppId, StringComparer.OrdinalIgnoreCase)).ToList());
    }
}
