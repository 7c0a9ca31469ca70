# node-gyp build of the addon: used by prebuildify and by users' fallback compile from source.
# Keep sources, defines and flags identical to CMakeLists.txt (sources come from
# native/sources.json for both). Eigen (native/vendor/eigen) is vendored but on no include path
# until a translation unit uses it (see CMakeLists.txt and native/vendor/eigen/VENDORED.md).
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
      "defines": ["NAPI_VERSION=8", "NDEBUG"],
      "cflags_cc": ["-O3", "-fvisibility=hidden"],
      "conditions": [
        ["target_arch=='x64'", {"cflags_cc": ["-march=<(x86_level)", "-mtune=generic"]}]
      ]
    }
  ]
}
