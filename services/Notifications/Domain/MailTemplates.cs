using System.Collections.Frozen;
using System.Text.Encodings.Web;
using System.Text.Json.Nodes;
using Fluid;

namespace TicketToken.Notifications.Domain;

/// <summary>A message as it is sent: subject, plain-text part and HTML part.</summary>
public sealed record RenderedMail(string Subject, string Text, string Html, string Language);

/// <summary>
/// The e-mail templates: Liquid (Fluid) files embedded in this assembly, <c>Templates/{name}.{language}.liquid</c>, each with a
/// <c>subject:</c> line, a <c>--- text</c> part and a <c>--- html</c> part; the HTML part is placed in <c>Templates/_layout.html</c>.
/// A language without its own file falls back to English. Every file is parsed when the module starts, so a broken template
/// stops the start rather than a message.
/// </summary>
public sealed class MailTemplates
{
    public const string DefaultLanguage = "en";

    /// <summary>The languages a fan can choose; templates exist in English for all messages and in these others for some.</summary>
    public static readonly IReadOnlyList<string> Languages = ["en", "de"];

    private static readonly FluidParser Parser = new();

    private static readonly TemplateOptions Options = new TemplateOptionsBuilder().Build();

    private readonly FrozenDictionary<string, Parts> _templates;
    private readonly IFluidTemplate _layout;

    public MailTemplates()
    {
        var assembly = typeof(MailTemplates).Assembly;
        const string prefix = "Templates/";
        var templates = new Dictionary<string, Parts>();
        IFluidTemplate? layout = null;
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            var source = reader.ReadToEnd();
            var file = resource[prefix.Length..];
            if (file == "_layout.html")
            {
                layout = Parse(file, source);
                continue;
            }

            // name.language.liquid
            var parts = file.Split('.');
            if (parts.Length != 3 || parts[2] != "liquid")
            {
                throw new InvalidOperationException($"Template file {file} is not named name.language.liquid.");
            }

            templates[Key(parts[0], parts[1])] = Split(file, source);
        }

        _layout = layout ?? throw new InvalidOperationException("Templates/_layout.html is missing.");
        _templates = templates.ToFrozenDictionary();
    }

    /// <summary>The names of the templates (each has at least an English file).</summary>
    public IReadOnlyList<string> Names => [.. _templates.Keys.Where(k => k.EndsWith("." + DefaultLanguage, StringComparison.Ordinal)).Select(k => k[..k.LastIndexOf('.')]).Order()];

    public bool Has(string name, string language) => _templates.ContainsKey(Key(name, language));

    /// <summary>Renders <paramref name="name"/> in <paramref name="language"/> (English when that language has no file of it).</summary>
    public async Task<RenderedMail> RenderAsync(string name, string? language, JsonObject model)
    {
        var lang = language is not null && Has(name, language) ? language : DefaultLanguage;
        var parts = _templates.GetValueOrDefault(Key(name, lang)) ?? throw new InvalidOperationException($"There is no template {name}.");
        var subject = (await parts.Subject.RenderAsync(new TemplateContext(model, Options), NullEncoder.Default)).Trim();
        var text = (await parts.Text.RenderAsync(new TemplateContext(model, Options), NullEncoder.Default)).Trim() + "\n";
        var content = await parts.Html.RenderAsync(new TemplateContext(model, Options), HtmlEncoder.Default);
        // The part was encoded as it was rendered; the layout places it with the raw filter.
        var layoutModel = new JsonObject { ["subject"] = subject, ["lang"] = lang, ["content"] = content, ["app"] = model["app"]?.DeepClone() };
        var html = await _layout.RenderAsync(new TemplateContext(layoutModel, Options), HtmlEncoder.Default);
        return new RenderedMail(subject, text, html, lang);
    }

    private static string Key(string name, string language) => $"{name}.{language}";

    private static Parts Split(string file, string source)
    {
        var lines = source.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        if (!lines[0].StartsWith("subject:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Template {file} must start with a 'subject:' line.");
        }

        var text = Array.IndexOf(lines, "--- text");
        var html = Array.IndexOf(lines, "--- html");
        if (text < 1 || html < text)
        {
            throw new InvalidOperationException($"Template {file} needs a '--- text' line and, after it, a '--- html' line.");
        }

        return new Parts(
            Parse(file, lines[0]["subject:".Length..].Trim()),
            Parse(file, string.Join('\n', lines[(text + 1)..html])),
            Parse(file, string.Join('\n', lines[(html + 1)..])));
    }

    private static IFluidTemplate Parse(string file, string source) =>
        Parser.TryParse(source, out var template, out var error) ? template : throw new InvalidOperationException($"Template {file} does not parse: {error}");

    private sealed record Parts(IFluidTemplate Subject, IFluidTemplate Text, IFluidTemplate Html);
}
