// Process entry for every SystemC executable of the project: silences the
// SystemC banner (it is printed before sc_main runs, so it must be done here),
// then hands over to the kernel, which calls sc_main.
#include <cstdlib>

#include <systemc>

int main(int argc, char* argv[]) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}
