print("writer-benchmark: not implemented yet")
