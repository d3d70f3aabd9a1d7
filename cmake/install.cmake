# `cmake --install build --prefix P` (docs/DECISIONS.md D-100): P/bin/bitcim, the product's
# static libraries in P/lib, their public headers in P/include/bitcim/<folder>/ (included
# as "core/hw_config.h", as in the tree), the default technology file in P/share/bitcim/,
# and two pkg-config files in P/lib/pkgconfig: bitcim.pc (the plain C++ golden model:
# core, io, network, components) and bitcim-systemc.pc (the SystemC levels: sim, tlm,
# cycle; requires SystemC). Both locate the prefix from their own place (${pcfiledir}), so
# the tree installs anywhere with --prefix given at install time only.
# tests/python/test_install.py installs into a temporary prefix and builds against it.
include(GNUInstallDirs)

set(BITCIM_GOLDEN_LIBS bitcim_core bitcim_io bitcim_network bitcim_components)
set(BITCIM_SYSTEMC_LIBS bitcim_sim bitcim_tlm bitcim_cycle bitcim_fstapi)
install(TARGETS bitcim RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS ${BITCIM_GOLDEN_LIBS} ${BITCIM_SYSTEMC_LIBS} ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
# src/app is the command line, not a library: its headers stay private.
foreach(folder core io network components sim tlm cycle)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/${folder}/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/bitcim/${folder}
          FILES_MATCHING PATTERN "*.h")
endforeach()
# sc_entry.cpp: the process entry of the project's SystemC programs (silences the banner,
# then calls sc_main); a program against bitcim-systemc may compile it or use SystemC's main.
install(FILES ${PROJECT_SOURCE_DIR}/src/sim/sc_entry.cpp ${PROJECT_SOURCE_DIR}/config/technology.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bitcim)

# ${pcfiledir} is <prefix>/<libdir>/pkgconfig: the way back up to the prefix.
file(RELATIVE_PATH BITCIM_PC_TO_PREFIX "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
string(REGEX REPLACE "/$" "" BITCIM_PC_TO_PREFIX "${BITCIM_PC_TO_PREFIX}")
# Static libraries built with the sanitizers need them in every program they link into.
if(BITCIM_SANITIZERS)
  set(BITCIM_PC_FLAGS "-fsanitize=address,undefined")
else()
  set(BITCIM_PC_FLAGS "")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/bitcim.pc.in ${PROJECT_BINARY_DIR}/bitcim.pc @ONLY)
configure_file(${PROJECT_SOURCE_DIR}/cmake/bitcim-systemc.pc.in ${PROJECT_BINARY_DIR}/bitcim-systemc.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/bitcim.pc ${PROJECT_BINARY_DIR}/bitcim-systemc.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
