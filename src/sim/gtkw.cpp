#include "sim/gtkw.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <vector>

#include "sim/fst_trace.h"

namespace bitcim {

namespace {
// GTKWave's trace flags (gtkwave analyzer.h): a group's begin and end, a blank
// (label) row, right-justified binary and decimal values.
constexpr const char* kGroupBegin = "@800200";
constexpr const char* kGroupEnd = "@1000200";
constexpr const char* kBinary = "@28";
constexpr const char* kDecimal = "@24";
}  // namespace

void write_gtkw(const FstTraceFile& fst, const std::string& path) {
    std::vector<std::string> scopes;
    std::map<std::string, std::vector<const FstTraceFile::Var*>> by_scope;
    for (const FstTraceFile::Var& v : fst.vars()) {
        const std::string scope = v.path.substr(0, v.path.rfind('.'));
        if (!by_scope.count(scope)) scopes.push_back(scope);
        by_scope[scope].push_back(&v);
    }
    std::ofstream out(path);
    out << "[*] bitcim: " << std::filesystem::path(fst.path()).filename().string()
        << ", one group per scope, codes in decimal\n";
    out << "[dumpfile] \"" << std::filesystem::absolute(fst.path()).string() << "\"\n";
    out << "[savefile] \"" << std::filesystem::absolute(path).string() << "\"\n";
    out << "[sst_width] 260\n[signals_width] 300\n[sst_expanded] 1\n";
    for (const std::string& scope : scopes) {
        const std::string label = scope.rfind("system.", 0) == 0 ? scope.substr(7) : scope;
        out << kGroupBegin << "\n-" << label << "\n";
        for (const FstTraceFile::Var* v : by_scope[scope]) {
            if (v->bits == 1) {
                out << kBinary << "\n" << v->path << "\n";
            } else {
                out << kDecimal << "\n" << v->path << "[" << v->bits - 1 << ":0]\n";
            }
        }
        out << kGroupEnd << "\n-" << label << "\n";
    }
    if (!out) throw std::runtime_error("cannot write the GTKWave save file " + path);
}

}  // namespace bitcim
