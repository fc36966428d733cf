# x07_embed_files(<out.cpp> <symbol> <base_dir> <files...>)
# Generates a C++ source defining
#   const x07::EmbeddedFile <symbol>[]; const std::size_t <symbol>_count;
# where each entry is {relative path, contents}. Contents are emitted as byte
# arrays so any file (C sources, JSON) round-trips exactly.
function(x07_embed_files out_cpp symbol base_dir)
  set(files ${ARGN})
  set(script "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/EmbedFilesScript.cmake")
  add_custom_command(
    OUTPUT ${out_cpp}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out_cpp} -DSYMBOL=${symbol} -DBASE=${base_dir}
            "-DFILES=${files}" -P ${script}
    DEPENDS ${files} ${script}
    COMMENT "Embedding ${symbol}"
    VERBATIM)
endfunction()
