// ReadSkillFolder and its parsers (SKILL.md front matter, .env.example), and ImportSkillFolder.
// ExtractSkillArchive lives in skill_archive.cpp.
#include "services/skill_package.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <set>

#include "content/importer.h"
#include "core/text.h"
#include "sandbox/unique_fd.h"

namespace pinfold::services {
namespace {

constexpr std::string_view kSkillMd = "SKILL.md";
constexpr std::string_view kEnvExample = ".env.example";

// Lines without their "\n" or "\r\n" ends.
std::vector<std::string_view> SplitLines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        lines.push_back(line);
        if (end == std::string_view::npos)
            break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

std::string_view TrimRight(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool IsBlank(std::string_view line) {
    return TrimAscii(line).empty();
}

// ---- SKILL.md front matter: a small YAML subset ----

Status FrontMatterError(const std::string& what) {
    return Status::InvalidArgument("SKILL.md: " + what);
}

// One top-level key with its value: the text after the colon and the more-indented (or blank)
// lines that follow it.
struct FrontMatterField {
    std::string key;
    std::string_view inlineValue;
    std::vector<std::string_view> continuation;
};

// The lines between the opening and the closing "---" (the first of them is line 2 of the file).
Result<std::vector<std::string_view>> FrontMatterLines(std::string_view text) {
    if (text.starts_with("\xEF\xBB\xBF"))
        text.remove_prefix(3);
    std::vector<std::string_view> lines = SplitLines(text);
    if (lines.empty() || TrimRight(lines[0]) != "---")
        return FrontMatterError("front matter is missing (the file must start with a --- line)");
    for (size_t i = 1; i < lines.size(); ++i) {
        std::string_view line = TrimRight(lines[i]);
        if (line == "---" || line == "...")
            return std::vector<std::string_view>(lines.begin() + 1, lines.begin() + i);
    }
    return FrontMatterError("front matter is not closed (no second --- line)");
}

Result<std::vector<FrontMatterField>> SplitFields(std::string_view text) {
    constexpr size_t kFirstLine = 2;
    PINFOLD_ASSIGN_OR_RETURN(std::vector<std::string_view> lines, FrontMatterLines(text));
    std::vector<FrontMatterField> fields;
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = lines[i];
        bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
        if (indented || IsBlank(line)) {
            if (!fields.empty())
                fields.back().continuation.push_back(line);
            else if (!IsBlank(line))
                return FrontMatterError("line " + std::to_string(kFirstLine + i) +
                                        " is indented but belongs to no key");
            continue;
        }
        if (line[0] == '#')
            continue;
        size_t colon = line.find(':');
        while (colon != std::string_view::npos && colon + 1 < line.size() &&
               line[colon + 1] != ' ' && line[colon + 1] != '\t') {
            colon = line.find(':', colon + 1);
        }
        std::string_view key =
            colon == std::string_view::npos ? "" : TrimRight(line.substr(0, colon));
        if (key.empty() || key[0] == '-') {
            return FrontMatterError("line " + std::to_string(kFirstLine + i) +
                                    " is not a \"key: value\" pair");
        }
        fields.push_back({std::string(key), line.substr(colon + 1), {}});
    }
    return fields;
}

// Cuts a " # comment" off a plain scalar's line.
std::string_view WithoutComment(std::string_view text) {
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t'))
            return TrimRight(text.substr(0, i));
    }
    return text;
}

// Flow folding: lines are trimmed and joined by a space; each blank line becomes a line break.
std::string Fold(std::string_view first, const std::vector<std::string_view>& more,
                 bool cutComments) {
    std::string out(TrimAscii(cutComments ? WithoutComment(first) : first));
    size_t pendingBreaks = 0;
    for (std::string_view raw : more) {
        std::string_view line = TrimAscii(cutComments ? WithoutComment(TrimAscii(raw)) : raw);
        if (line.empty()) {
            ++pendingBreaks;
            continue;
        }
        if (!out.empty())
            out += pendingBreaks > 0 ? std::string(pendingBreaks, '\n') : std::string(" ");
        out += line;
        pendingBreaks = 0;
    }
    return out;
}

void AppendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::optional<uint32_t> ParseHex(std::string_view digits) {
    uint32_t value = 0;
    for (char c : digits) {
        int d = (c >= '0' && c <= '9')   ? c - '0'
                : (c >= 'a' && c <= 'f') ? c - 'a' + 10
                : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                         : -1;
        if (d < 0)
            return std::nullopt;
        value = value * 16 + static_cast<uint32_t>(d);
    }
    return value;
}

// The escape at in[i] (just after the backslash) appended to out; i moves past it.
Status AppendEscape(std::string_view in, size_t& i, std::string& out, const std::string& field) {
    Status bad = FrontMatterError(field + " has an invalid escape sequence");
    // Single-character escapes, and what each stands for.
    constexpr std::string_view kEscaped = "\\\"/ ntr";
    constexpr std::string_view kMeaning = "\\\"/ \n\t\r";
    char c = in[i++];
    if (size_t k = kEscaped.find(c); k != std::string_view::npos) {
        out += kMeaning[k];
        return Status::Ok();
    }
    size_t width = c == 'x' ? 2 : c == 'u' ? 4 : c == 'U' ? 8 : 0;
    if (width == 0 || i + width > in.size())
        return bad;
    std::optional<uint32_t> cp = ParseHex(in.substr(i, width));
    i += width;
    if (cp && *cp >= 0xD800 && *cp <= 0xDBFF && in.substr(i, 2) == "\\u" && i + 6 <= in.size()) {
        std::optional<uint32_t> low = ParseHex(in.substr(i + 2, 4));
        if (low && *low >= 0xDC00 && *low <= 0xDFFF) {
            cp = 0x10000 + ((*cp - 0xD800) << 10) + (*low - 0xDC00);
            i += 6;
        }
    }
    if (!cp || *cp == 0 || (*cp >= 0xD800 && *cp <= 0xDFFF) || *cp > 0x10FFFF)
        return bad;
    AppendUtf8(out, *cp);
    return Status::Ok();
}

// A 'single-' or "double-quoted" scalar, already folded onto one text.
Result<std::string> ParseQuoted(std::string_view text, const std::string& field) {
    const char quote = text[0];
    std::string out;
    size_t i = 1;
    while (true) {
        if (i >= text.size())
            return FrontMatterError(field + " has no closing quote");
        char c = text[i++];
        if (c == quote && quote == '\'' && i < text.size() && text[i] == '\'') {
            out += '\'';
            ++i;
        } else if (c == quote) {
            break;
        } else if (c == '\\' && quote == '"' && i < text.size()) {
            PINFOLD_TRY(AppendEscape(text, i, out, field));
        } else {
            out += c;
        }
    }
    std::string_view rest = TrimAscii(text.substr(i));
    if (!rest.empty() && rest[0] != '#')
        return FrontMatterError(field + " has text after its closing quote");
    return out;
}

// A `|` or `>` block scalar: header is what follows the key's colon, e.g. "|-" or ">2".
Result<std::string> ParseBlock(std::string_view header, const std::vector<std::string_view>& lines,
                               const std::string& field) {
    const bool folded = header[0] == '>';
    std::string_view indicators = TrimRight(WithoutComment(header.substr(1)));
    size_t indent = 0;
    if (indicators.size() > 2)
        return FrontMatterError(field + " has an invalid block scalar header");
    for (char c : indicators) {
        if (c >= '1' && c <= '9' && indent == 0)
            indent = static_cast<size_t>(c - '0');
        else if (c != '-' && c != '+')
            return FrontMatterError(field + " has an invalid block scalar header");
    }
    if (indent == 0) {
        for (std::string_view line : lines) {
            if (!IsBlank(line)) {
                indent = line.find_first_not_of(' ');
                break;
            }
        }
    }
    if (indent == 0 && !std::all_of(lines.begin(), lines.end(), IsBlank))
        return FrontMatterError(field + " block must be indented with spaces");
    std::string out;
    bool previousWasText = false;
    size_t pendingBreaks = 0;
    for (std::string_view line : lines) {
        if (IsBlank(line)) {
            ++pendingBreaks;
            continue;
        }
        if (line.size() < indent || line.substr(0, indent).find_first_not_of(' ') != line.npos)
            return FrontMatterError(field + " block is not indented consistently");
        std::string_view content = line.substr(indent);
        // Folding joins only lines of plain text; more-indented lines keep their breaks.
        bool text = content[0] != ' ' && content[0] != '\t';
        if (!out.empty() || pendingBreaks > 0) {
            if (folded && text && previousWasText)
                out += pendingBreaks > 0 ? std::string(pendingBreaks, '\n') : std::string(" ");
            else
                out += std::string(pendingBreaks + (out.empty() ? 0 : 1), '\n');
        }
        out += content;
        previousWasText = text;
        pendingBreaks = 0;
    }
    return out;
}

bool IsYamlNull(std::string_view plain) {
    return plain.empty() || plain == "~" || plain == "null" || plain == "Null" || plain == "NULL";
}

// A nested map or list under the key instead of a scalar.
bool StartsCollection(const std::vector<std::string_view>& lines) {
    for (std::string_view raw : lines) {
        std::string_view line = TrimAscii(raw);
        if (line.empty() || line[0] == '#')
            continue;
        return line == "-" || line.starts_with("- ") || line.back() == ':' ||
               line.find(": ") != std::string_view::npos;
    }
    return false;
}

Result<std::optional<std::string>> Present(Result<std::string> value) {
    if (!value.ok())
        return value.status();
    return std::optional<std::string>(std::move(*value));
}

// The field's string value; nullopt for YAML null (nothing after the colon, "~", "null").
Result<std::optional<std::string>> ScalarValue(const FrontMatterField& f) {
    std::string_view value = TrimAscii(f.inlineValue);
    if (!value.empty() && (value[0] == '|' || value[0] == '>'))
        return Present(ParseBlock(value, f.continuation, f.key));
    if (!value.empty() && (value[0] == '"' || value[0] == '\''))
        return Present(ParseQuoted(Fold(value, f.continuation, false), f.key));
    if (!value.empty() && std::string_view("[{&*!%@`").find(value[0]) != std::string_view::npos)
        return FrontMatterError(f.key + " must be a plain or quoted string");
    if (WithoutComment(value).empty() && StartsCollection(f.continuation))
        return FrontMatterError(f.key + " must be a plain or quoted string");
    std::string plain = Fold(value, f.continuation, true);
    if (IsYamlNull(plain))
        return std::optional<std::string>();
    return std::optional<std::string>(std::move(plain));
}

bool IsSkillNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

Status CheckSkillName(const std::optional<std::string>& name) {
    if (!name || name->empty())
        return FrontMatterError("name is missing");
    if (name->size() > kMaxSkillNameLength)
        return FrontMatterError("name must be at most 64 characters");
    if (!std::all_of(name->begin(), name->end(), IsSkillNameChar))
        return FrontMatterError("name must use letters, digits, hyphens and underscores");
    return Status::Ok();
}

Result<std::optional<std::string>> CheckedDescription(std::optional<std::string> raw) {
    if (!raw)
        return raw;
    std::string description(TrimAscii(*raw));
    if (description.empty())
        return std::optional<std::string>();
    std::optional<size_t> length = Utf8Length(description);
    if (!length)
        return FrontMatterError("description must be valid UTF-8");
    if (*length > kMaxSkillDescriptionLength)
        return FrontMatterError("description must be at most 1024 characters");
    return std::optional<std::string>(std::move(description));
}

// ---- .env.example ----

bool IsEnvVarName(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9'))
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

Status EnvLineError(size_t line, const std::string& what) {
    return Status::InvalidArgument(".env.example: line " + std::to_string(line) + ": " + what);
}

// ---- files ----

// The file's bytes; nullopt when it does not exist. Never follows a symlink, never blocks on
// a FIFO.
Result<std::optional<std::string>> ReadSmallFile(const std::string& dir, std::string_view name,
                                                 size_t maxBytes) {
    std::string path = dir + "/" + std::string(name);
    sandbox::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd && errno == ENOENT)
        return std::optional<std::string>();
    if (!fd && errno != ELOOP)
        return Status::Internal("Cannot open " + std::string(name) + ": " + std::strerror(errno));
    struct stat st;
    if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
        return Status::InvalidArgument(std::string(name) + " must be a regular file");
    if (static_cast<uint64_t>(st.st_size) > maxBytes) {
        return Status::TooLarge(std::string(name) + " is larger than " + std::to_string(maxBytes) +
                                " bytes");
    }
    std::string bytes(static_cast<size_t>(st.st_size), '\0');
    size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::read(fd.get(), bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return Status::Internal("Cannot read " + std::string(name));
        if (n == 0)
            break;
        done += static_cast<size_t>(n);
    }
    bytes.resize(done);
    return std::optional<std::string>(std::move(bytes));
}

}  // namespace

Result<SkillManifest> ParseSkillMd(std::string_view text) {
    PINFOLD_ASSIGN_OR_RETURN(std::vector<FrontMatterField> fields, SplitFields(text));
    std::optional<std::string> name;
    std::optional<std::string> description;
    std::set<std::string> seen;
    for (const FrontMatterField& field : fields) {
        if (field.key != "name" && field.key != "description")
            continue;
        if (!seen.insert(field.key).second)
            return FrontMatterError(field.key + " appears twice");
        PINFOLD_ASSIGN_OR_RETURN(std::optional<std::string> value, ScalarValue(field));
        (field.key == "name" ? name : description) = std::move(value);
    }
    PINFOLD_TRY(CheckSkillName(name));
    SkillManifest manifest;
    manifest.name = std::move(*name);
    PINFOLD_ASSIGN_OR_RETURN(manifest.description, CheckedDescription(std::move(description)));
    return manifest;
}

Result<std::vector<SkillEnvVar>> ParseEnvExample(std::string_view text) {
    if (!Utf8Length(text))
        return Status::InvalidArgument(".env.example must be valid UTF-8");
    std::vector<SkillEnvVar> vars;
    std::optional<std::string> comment;
    std::vector<std::string_view> lines = SplitLines(text);
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string_view line = TrimAscii(lines[i]);
        if (line.empty()) {
            comment.reset();
            continue;
        }
        if (line[0] == '#') {
            std::string_view note = TrimAscii(line.substr(1));
            comment = note.empty() ? std::nullopt : std::optional<std::string>(note);
            continue;
        }
        if (line.starts_with("export ") || line.starts_with("export\t"))
            line = TrimAscii(line.substr(7));
        size_t equals = line.find('=');
        if (equals == std::string_view::npos)
            return EnvLineError(i + 1, "expected NAME=value");
        std::string_view name = TrimAscii(line.substr(0, equals));
        if (!IsEnvVarName(name)) {
            return EnvLineError(
                i + 1, "\"" + std::string(name) + "\" is not a valid environment variable name");
        }
        auto sameName = [&](const SkillEnvVar& v) { return v.name == name; };
        if (std::any_of(vars.begin(), vars.end(), sameName))
            return EnvLineError(i + 1, std::string(name) + " is listed twice");
        vars.push_back({std::string(name), std::move(comment)});
        comment.reset();
    }
    return vars;
}

Result<SkillManifest> ReadSkillFolder(const std::string& dir) {
    PINFOLD_ASSIGN_OR_RETURN(std::optional<std::string> skillMd,
                             ReadSmallFile(dir, kSkillMd, kMaxSkillMdBytes));
    if (!skillMd)
        return Status::InvalidArgument("SKILL.md is missing");
    PINFOLD_ASSIGN_OR_RETURN(SkillManifest manifest, ParseSkillMd(*skillMd));
    PINFOLD_ASSIGN_OR_RETURN(std::optional<std::string> envExample,
                             ReadSmallFile(dir, kEnvExample, kMaxEnvExampleBytes));
    if (envExample) {
        PINFOLD_ASSIGN_OR_RETURN(manifest.envVars, ParseEnvExample(*envExample));
    }
    return manifest;
}

Result<ImportedSkill> ImportSkillFolder(const std::string& dir, content::BlockSink& sink) {
    PINFOLD_ASSIGN_OR_RETURN(SkillManifest manifest, ReadSkillFolder(dir));
    PINFOLD_ASSIGN_OR_RETURN(content::ImportResult imported, content::ImportFolder(dir, sink));
    ImportedSkill skill;
    skill.manifest = std::move(manifest);
    skill.skillCid = imported.root.ToString();
    skill.totalBytes = imported.totalBytes;
    return skill;
}

}  // namespace pinfold::services
