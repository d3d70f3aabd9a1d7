// fst_dump FILE.fst: an FST file as text, through the fstapi reader Verilator
// bundles, for the tests (tests/python/test_waveforms.py) and for a look without
// GTKWave. Prints "timescale E", "start T", "end T", one "var HANDLE BITS PATH"
// per variable (aliases share a handle; scopes joined by '.', a vector's range
// dropped), then one "TIME HANDLE VALUE" per value change, in time order.
#include <cstdio>
#include <string>
#include <vector>

#include <fstapi.h>

namespace {

void on_change(void*, uint64_t time, fstHandle handle, const unsigned char* value) {
    std::printf("%llu %u %s\n", static_cast<unsigned long long>(time), handle, reinterpret_cast<const char*>(value));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fst_dump FILE.fst\n");
        return 2;
    }
    void* ctx = fstReaderOpen(argv[1]);
    if (!ctx) {
        std::fprintf(stderr, "fst_dump: cannot read %s as FST\n", argv[1]);
        return 1;
    }
    std::printf("timescale %d\nstart %llu\nend %llu\n", fstReaderGetTimescale(ctx),
                static_cast<unsigned long long>(fstReaderGetStartTime(ctx)),
                static_cast<unsigned long long>(fstReaderGetEndTime(ctx)));
    std::vector<std::string> scopes;
    while (const fstHier* h = fstReaderIterateHier(ctx)) {
        if (h->htyp == FST_HT_SCOPE) {
            scopes.push_back((scopes.empty() ? "" : scopes.back() + ".") + h->u.scope.name);
        } else if (h->htyp == FST_HT_UPSCOPE) {
            scopes.pop_back();
        } else if (h->htyp == FST_HT_VAR) {
            std::string name = h->u.var.name;
            const size_t range = name.find(" [");
            if (range != std::string::npos) name.resize(range);
            std::printf("var %u %u %s\n", h->u.var.handle, h->u.var.length,
                        ((scopes.empty() ? "" : scopes.back() + ".") + name).c_str());
        }
    }
    fstReaderSetFacProcessMaskAll(ctx);
    fstReaderIterBlocks(ctx, on_change, nullptr, nullptr);
    fstReaderClose(ctx);
    return 0;
}
