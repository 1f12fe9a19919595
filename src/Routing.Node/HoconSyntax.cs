using System.Text;

namespace Routing.Node;

/// <summary>
/// A syntax check of HOCON text that reports the first mistake with its line and column. Akka's own parser
/// gives no position and accepts (or loops on) some broken files, so every file is checked here first.
/// It checks structure only (braces, brackets, keys, values, strings, substitutions), not meaning.
/// </summary>
public static class HoconSyntax
{
    /// <summary>Null when the text is well formed, else "line:col: message".</summary>
    public static (int Line, int Column, string Message)? Check(string text)
    {
        try
        {
            new Parser(Tokenize(text)).ParseRoot();
            return null;
        }
        catch (HoconSyntaxError e)
        {
            return (e.Line, e.Column, e.Message);
        }
    }

    private sealed class HoconSyntaxError(int line, int column, string message) : Exception(message)
    {
        public int Line { get; } = line;
        public int Column { get; } = column;
    }

    private enum Kind { LBrace, RBrace, LBracket, RBracket, Assign, Comma, Newline, Text, Substitution, End }

    private readonly record struct Token(Kind Kind, string Text, int Line, int Column);

    private static string Describe(Token t) => t.Kind switch
    {
        Kind.End => "the end of the file",
        Kind.Newline => "the end of the line",
        _ => $"'{t.Text}'",
    };

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        int i = 0, line = 1, col = 1;

        void Advance(int n)
        {
            for (var k = 0; k < n && i < text.Length; k++, i++)
            {
                if (text[i] == '\n') { line++; col = 1; }
                else col++;
            }
        }

        char Peek(int offset = 0) => i + offset < text.Length ? text[i + offset] : '\0';

        while (i < text.Length)
        {
            var c = text[i];
            int l = line, cl = col;
            if (c == '\n') { tokens.Add(new(Kind.Newline, "\n", l, cl)); Advance(1); continue; }
            if (c is ' ' or '\t' or '\r' or '\uFEFF' || (char.IsWhiteSpace(c) && c != '\n')) { Advance(1); continue; }
            if (c == '#' || (c == '/' && Peek(1) == '/'))
            {
                while (i < text.Length && text[i] != '\n') Advance(1);
                continue;
            }
            switch (c)
            {
                case '{': tokens.Add(new(Kind.LBrace, "{", l, cl)); Advance(1); continue;
                case '}': tokens.Add(new(Kind.RBrace, "}", l, cl)); Advance(1); continue;
                case '[': tokens.Add(new(Kind.LBracket, "[", l, cl)); Advance(1); continue;
                case ']': tokens.Add(new(Kind.RBracket, "]", l, cl)); Advance(1); continue;
                case ',': tokens.Add(new(Kind.Comma, ",", l, cl)); Advance(1); continue;
                case '=' or ':': tokens.Add(new(Kind.Assign, c.ToString(), l, cl)); Advance(1); continue;
                case '+' when Peek(1) == '=': tokens.Add(new(Kind.Assign, "+=", l, cl)); Advance(2); continue;
            }
            if (c == '"' && Peek(1) == '"' && Peek(2) == '"')
            {
                Advance(3);
                var start = i;
                while (i < text.Length && !(text[i] == '"' && Peek(1) == '"' && Peek(2) == '"')) Advance(1);
                if (i >= text.Length) throw new HoconSyntaxError(l, cl, "a \"\"\" string is not closed");
                var s = text[start..i];
                Advance(3);
                while (Peek() == '"') Advance(1); // """ may end with extra quotes that belong to the string
                tokens.Add(new(Kind.Text, s, l, cl));
                continue;
            }
            if (c == '"')
            {
                Advance(1);
                var sb = new StringBuilder();
                while (true)
                {
                    if (i >= text.Length || text[i] == '\n')
                        throw new HoconSyntaxError(l, cl, "a quoted string is not closed on its line (a '\"' is missing)");
                    if (text[i] == '"') { Advance(1); break; }
                    if (text[i] == '\\')
                    {
                        var e = Peek(1);
                        if (e is not ('"' or '\\' or '/' or 'b' or 'f' or 'n' or 'r' or 't' or 'u'))
                            throw new HoconSyntaxError(line, col, $"unknown escape '\\{e}' in a quoted string");
                        Advance(2);
                        continue;
                    }
                    sb.Append(text[i]);
                    Advance(1);
                }
                tokens.Add(new(Kind.Text, sb.ToString(), l, cl));
                continue;
            }
            if (c == '$')
            {
                if (Peek(1) != '{') throw new HoconSyntaxError(l, cl, "'$' must start a substitution like ${path} (quote the value if it is text)");
                var start = i;
                while (i < text.Length && text[i] != '}' && text[i] != '\n') Advance(1);
                if (Peek() != '}') throw new HoconSyntaxError(l, cl, "a substitution ${...} is not closed");
                Advance(1);
                var inner = text[(start + 2)..(i - 1)].TrimStart('?').Trim();
                if (inner.Length == 0) throw new HoconSyntaxError(l, cl, "an empty substitution ${}");
                tokens.Add(new(Kind.Substitution, text[start..i], l, cl));
                continue;
            }
            if (c is '`' or '^' or '?' or '!' or '@' or '*' or '&' or '\\')
                throw new HoconSyntaxError(l, cl, $"the character '{c}' is not allowed outside quotes");
            {
                var start = i;
                while (i < text.Length)
                {
                    var d = text[i];
                    if (d is '{' or '}' or '[' or ']' or ',' or '=' or ':' or '"' or '$' or '#' or '\n' or '`' or '^' or '?' or '!' or '@' or '*' or '&' or '\\'
                        || char.IsWhiteSpace(d) || (d == '/' && Peek(1) == '/') || (d == '+' && Peek(1) == '='))
                        break;
                    Advance(1);
                }
                tokens.Add(new(Kind.Text, text[start..i], l, cl));
            }
        }
        tokens.Add(new(Kind.End, "", line, col));
        return tokens;
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _pos;

        private Token Current => tokens[_pos];

        private Token Next() => tokens[_pos++];

        private void SkipNewlines()
        {
            while (Current.Kind == Kind.Newline) _pos++;
        }

        private static HoconSyntaxError Error(Token at, string message) => new(at.Line, at.Column, message);

        public void ParseRoot()
        {
            SkipNewlines();
            if (Current.Kind == Kind.LBrace)
            {
                ParseObject();
                SkipNewlines();
                if (Current.Kind != Kind.End) throw Error(Current, $"unexpected {Describe(Current)} after the closing '}}' of the file's object");
                return;
            }
            ParseMembers(null);
        }

        /// <param name="open">The '{' these members are inside; null at the root.</param>
        private void ParseMembers(Token? open)
        {
            while (true)
            {
                SkipNewlines();
                var t = Current;
                if (t.Kind == Kind.RBrace)
                {
                    if (open is null) throw Error(t, "a '}' that closes nothing");
                    return;
                }
                if (t.Kind == Kind.End)
                {
                    if (open is { } o) throw Error(o, $"the '{{' opened here is never closed (a '}}' is missing)");
                    return;
                }
                ParseMember();
                var sep = Current;
                if (sep.Kind is Kind.Newline) continue;
                if (sep.Kind == Kind.Comma)
                {
                    _pos++;
                    continue;
                }
                if (sep.Kind is Kind.RBrace or Kind.End) continue;
                throw Error(sep, $"expected the end of the line, ',' or '}}' after a value, found {Describe(sep)}");
            }
        }

        private void ParseMember()
        {
            var first = Current;
            if (first.Kind == Kind.Text && first.Text == "include" && tokens[_pos + 1].Kind == Kind.Text)
            {
                _pos += 2;
                return;
            }
            if (first.Kind != Kind.Text)
                throw Error(first, $"expected a key, found {Describe(first)}");
            var key = new StringBuilder();
            while (Current.Kind == Kind.Text)
            {
                if (key.Length > 0) key.Append(' ');
                key.Append(Next().Text);
            }
            var op = Current;
            switch (op.Kind)
            {
                case Kind.LBrace:
                    ParseObject();
                    return;
                case Kind.Assign:
                    _pos++;
                    ParseValue(key.ToString(), op);
                    return;
                default:
                    throw Error(op, $"expected '=', ':' or '{{' after the key '{key}', found {Describe(op)}");
            }
        }

        private void ParseValue(string key, Token after)
        {
            var t = Current;
            if (t.Kind is not (Kind.Text or Kind.Substitution or Kind.LBrace or Kind.LBracket))
                throw Error(t.Kind is Kind.Newline or Kind.End ? after : t,
                    $"the key '{key}' has no value (found {Describe(t)})");
            while (Current.Kind is Kind.Text or Kind.Substitution or Kind.LBrace or Kind.LBracket)
            {
                switch (Current.Kind)
                {
                    case Kind.LBrace: ParseObject(); break;
                    case Kind.LBracket: ParseArray(); break;
                    default: _pos++; break;
                }
            }
        }

        private void ParseObject()
        {
            var open = Next();
            ParseMembers(open);
            _pos++; // the '}'
        }

        private void ParseArray()
        {
            var open = Next();
            while (true)
            {
                SkipNewlines();
                var t = Current;
                if (t.Kind == Kind.RBracket)
                {
                    _pos++;
                    return;
                }
                if (t.Kind == Kind.End) throw Error(open, "the '[' opened here is never closed (a ']' is missing)");
                if (t.Kind is not (Kind.Text or Kind.Substitution or Kind.LBrace or Kind.LBracket))
                    throw Error(t, $"expected a value or ']' in the list opened at {open.Line}:{open.Column}, found {Describe(t)}");
                ParseValue("list element", t);
                var sep = Current;
                if (sep.Kind is Kind.Newline or Kind.RBracket) continue;
                if (sep.Kind == Kind.Comma)
                {
                    _pos++;
                    continue;
                }
                if (sep.Kind == Kind.End) throw Error(open, "the '[' opened here is never closed (a ']' is missing)");
                throw Error(sep, $"expected ',' or ']' in the list opened at {open.Line}:{open.Column}, found {Describe(sep)}");
            }
        }
    }
}
