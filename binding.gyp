# node-gyp build of the addon: used by prebuildify and by users' fallback compile from source.
# Keep sources, defines and flags identical to CMakeLists.txt (sources come from
# native/sources.json for both). Eigen (native/vendor/eigen) is vendored but on no include path
# until a translation unit uses it (see CMakeLists.txt and native/vendor/eigen/VENDORED.md).
# node-gyp's Xcode/make-mac (macOS) and MSVS (Windows) generators ignore cflags_cc, so the same
# settings are repeated in xcode_settings and msvs_settings (test/install/binding_gyp.test.ts reads
# the generated projects). node-addon-api's except.gypi sets MACOSX_DEPLOYMENT_TARGET and
# EnablePREfast; only target_conditions override those.
{
  "variables": {
    "x86_level%": "<!(node -p \"process.env.ADDON_X86_LEVEL || 'x86-64-v2'\")"
  },
  "targets": [
    {
      "target_name": "spikegrad",
      "sources": ["<!@(node -p \"require('./native/sources.json').join(' ')\")"],
      "include_dirs": ["native"],
      "dependencies": ["<!(node -p \"require('node-addon-api').targets\"):node_addon_api_except_all"],
      "defines": ["NAPI_VERSION=8", "NDEBUG", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-fvisibility=hidden", "-ffp-contract=off", "-fno-math-errno"],
      "xcode_settings": {
        "OTHER_CPLUSPLUSFLAGS": ["$(inherited)", "-ffp-contract=off", "-fno-math-errno"],
        "GCC_OPTIMIZATION_LEVEL": "3",
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES"
      },
      "msvs_settings": {
        "VCCLCompilerTool": {"ExceptionHandling": "1", "AdditionalOptions": ["/std:c++17"]}
      },
      "target_conditions": [
        ["OS=='mac'", {"xcode_settings": {"MACOSX_DEPLOYMENT_TARGET": "11.0"}}],
        ["OS=='win'", {"msvs_settings": {"VCCLCompilerTool": {"EnablePREfast": "false"}}}]
      ],
      "conditions": [
        ["target_arch=='x64' and OS!='win'", {
          "cflags_cc": ["-march=<(x86_level)", "-mtune=generic"],
          "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-march=<(x86_level)", "-mtune=generic"]}
        }]
      ]
    }
  ]
}
