// Helpers for the skill and hub tests: tar archives built with libarchive's writer (hostile
// entries included), a raw ustar header for what the writer will not produce, and a folder
// rendered as text.
#pragma once

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace pinfold::services::testutil {

struct TarEntry {
    enum class Type { kFile, kDirectory, kSymlink, kHardlink, kFifo, kCharDevice };

    static TarEntry File(std::string name, std::string data) {
        return {std::move(name), Type::kFile, std::move(data), ""};
    }
    static TarEntry Folder(std::string name) { return {std::move(name), Type::kDirectory, "", ""}; }
    static TarEntry Symlink(std::string name, std::string target) {
        return {std::move(name), Type::kSymlink, "", std::move(target)};
    }
    static TarEntry Hardlink(std::string name, std::string target) {
        return {std::move(name), Type::kHardlink, "", std::move(target)};
    }

    std::string name;
    Type type = Type::kFile;
    std::string data;
    std::string linkTarget;
};

inline la_ssize_t AppendToString(struct archive*, void* out, const void* buffer, size_t length) {
    static_cast<std::string*>(out)->append(static_cast<const char*>(buffer), length);
    return static_cast<la_ssize_t>(length);
}

inline void AddEntry(struct archive* a, const TarEntry& e) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_perm(entry, 0644);
    archive_entry_set_mtime(entry, 1796312848, 0);
    switch (e.type) {
        case TarEntry::Type::kFile:
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_size(entry, static_cast<la_int64_t>(e.data.size()));
            break;
        case TarEntry::Type::kDirectory:
            archive_entry_set_filetype(entry, AE_IFDIR);
            archive_entry_set_perm(entry, 0755);
            break;
        case TarEntry::Type::kSymlink:
            archive_entry_set_filetype(entry, AE_IFLNK);
            archive_entry_set_symlink(entry, e.linkTarget.c_str());
            break;
        case TarEntry::Type::kHardlink:
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_hardlink(entry, e.linkTarget.c_str());
            break;
        case TarEntry::Type::kFifo:
            archive_entry_set_filetype(entry, AE_IFIFO);
            break;
        case TarEntry::Type::kCharDevice:
            archive_entry_set_filetype(entry, AE_IFCHR);
            archive_entry_set_rdev(entry, makedev(1, 3));
            break;
    }
    ASSERT_EQ(archive_write_header(a, entry), ARCHIVE_OK) << archive_error_string(a);
    if (!e.data.empty()) {
        ASSERT_EQ(archive_write_data(a, e.data.data(), e.data.size()),
                  static_cast<la_ssize_t>(e.data.size()));
    }
    archive_entry_free(entry);
}

// A pax tar of the entries, gzip-compressed unless `gzip` is false.
inline std::string MakeTar(const std::vector<TarEntry>& entries, bool gzip = true) {
    std::string out;
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    if (gzip)
        archive_write_add_filter_gzip(a);
    archive_write_open(a, &out, nullptr, AppendToString, nullptr);
    for (const TarEntry& e : entries)
        AddEntry(a, e);
    archive_write_close(a);
    archive_write_free(a);
    return out;
}

// One 512-byte ustar header (name may be empty), for names the writer refuses to produce.
inline std::string RawUstarHeader(std::string_view name, char typeflag, size_t size) {
    std::string h(512, '\0');
    std::copy(name.begin(), name.end(), h.begin());
    auto octal = [&](size_t offset, size_t width, uint64_t value) {
        std::string digits(width - 1, '0');
        for (size_t i = width - 1; i-- > 0; value >>= 3)
            digits[i] = static_cast<char>('0' + (value & 7));
        std::copy(digits.begin(), digits.end(), h.begin() + static_cast<long>(offset));
    };
    octal(100, 8, 0644);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, size);
    octal(136, 12, 1796312848);
    h[156] = typeflag;
    std::string magic = "ustar";
    std::copy(magic.begin(), magic.end(), h.begin() + 257);
    h[263] = '0';
    h[264] = '0';
    std::fill(h.begin() + 148, h.begin() + 156, ' ');
    unsigned sum = 0;
    for (char c : h)
        sum += static_cast<unsigned char>(c);
    octal(148, 7, sum);
    return h;
}

// The tree under dir, one line per entry in path order: "d path" for a folder, "f path size"
// for a file, "? path" for anything else.
inline std::string RenderTree(const std::string& dir) {
    std::vector<std::string> lines;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        std::string path = std::filesystem::relative(e.path(), dir).string();
        if (e.is_symlink())
            lines.push_back("? " + path);
        else if (e.is_directory())
            lines.push_back("d " + path);
        else if (e.is_regular_file())
            lines.push_back("f " + path + " " + std::to_string(e.file_size()));
        else
            lines.push_back("? " + path);
    }
    std::sort(lines.begin(), lines.end(),
              [](const std::string& a, const std::string& b) { return a.substr(2) < b.substr(2); });
    std::string text;
    for (const std::string& line : lines)
        text += line + "\n";
    return text;
}

inline void WriteText(const std::string& path, std::string_view text) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

inline std::string ReadText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace pinfold::services::testutil
