import Testing
@testable import PriceFeed
