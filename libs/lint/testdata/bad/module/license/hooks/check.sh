#!/bin/bash
echo "no license header here"
