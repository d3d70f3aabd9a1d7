// bitcim: command-line front end of the ReRAM compute-in-memory model.
#include <filesystem>
#include <iostream>

#include <systemc>

#include "app/cli.h"
#include "core/errors.h"
#include "sim/reporting.h"

int sc_main(int argc, char* argv[]) {
    bitcim::configure_systemc_reporting();
    CLI::App app{"bitcim: bit-sliced ReRAM compute-in-memory accelerator model"};
    app.require_subcommand(1);
    bitcim::cli::add_lfsr_command(app);
    bitcim::cli::add_mvm_command(app);
    bitcim::cli::add_regmap_command(app);
    bitcim::cli::add_inspect_command(app);
    bitcim::cli::add_run_command(app);
    bitcim::cli::add_sweep_command(app);
    bitcim::cli::add_faults_command(app);
    bitcim::cli::add_campaign_task_command(app);
    bitcim::cli::add_version_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "bitcim: " << e.what() << "\n" << "Run with --help for usage.\n";
        return bitcim::cli::kExitBadInput;
    } catch (const bitcim::InputError& e) {
        std::cerr << "bitcim: error: " << e.what() << "\n";
        return bitcim::cli::kExitBadInput;
    } catch (const std::filesystem::filesystem_error& e) {
        // A path the user gave that cannot be created, read or written.
        std::cerr << "bitcim: error: " << e.what() << "\n";
        return bitcim::cli::kExitBadInput;
    }
    return 0;
}
