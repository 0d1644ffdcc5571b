import ServiceKit

ServiceCommandLine.placeholderMain(name: "recioctl")
