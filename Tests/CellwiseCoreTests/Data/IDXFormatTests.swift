import CellwiseTestSupport
import Foundation
import Testing

@testable import CellwiseCore

@Suite struct IDXFormatTests {
    @Test func readsImageAndLabelFilesPlainAndCompressed() throws {
        let images = try TestData.images(count: 9)
        let directory = try TestData.directory()
        for gzip in [false, true] {
            let imagePath = try TestData.write(
                TestData.idxImages(images), to: "a\(gzip)-images-idx3-ubyte", in: directory, gzip: gzip)
            let labelPath = try TestData.write(
                TestData.idxLabels(images.labels), to: "a\(gzip)-labels-idx1-ubyte", in: directory, gzip: gzip)
            let read = try IDXFormat.read(images: imagePath, labels: labelPath)
            #expect(read.pixels == images.pixels)
            #expect(read.labels == images.labels)
        }
    }

    @Test func rejectsBadMagicWrongPixelCountTruncationAndBadLabels() throws {
        let images = try TestData.images(count: 5)
        let directory = try TestData.directory()
        let labels = try TestData.write(TestData.idxLabels(images.labels), to: "labels", in: directory)

        let badMagic = try TestData.write(TestData.idxImages(images, magic: 0x801), to: "magic", in: directory)
        let magicError = #expect(throws: DataError.self) { try IDXFormat.read(images: badMagic, labels: labels) }
        #expect(magicError?.description.contains("bad IDX magic number 0x00000801") == true)

        let wrongSize = try TestData.write(TestData.idxImages(images, rows: 27), to: "size", in: directory)
        let sizeError = #expect(throws: DataError.self) { try IDXFormat.read(images: wrongSize, labels: labels) }
        #expect(sizeError?.description.contains("27x28") == true)

        let truncated = try TestData.write(Array(TestData.idxImages(images).dropLast(100)), to: "short", in: directory)
        let truncatedError = #expect(throws: DataError.self) { try IDXFormat.read(images: truncated, labels: labels) }
        #expect(truncatedError?.path == truncated)
        #expect(truncatedError?.problem.contains("truncated") == true)

        let imagePath = try TestData.write(TestData.idxImages(images), to: "images", in: directory)
        let badLabels = try TestData.write(TestData.idxLabels([1, 2, 12, 3, 4]), to: "badlabels", in: directory)
        let labelError = #expect(throws: DataError.self) { try IDXFormat.read(images: imagePath, labels: badLabels) }
        #expect(labelError?.description.contains("label 12 of image 2 is outside 0-9") == true)

        let fewer = try TestData.write(TestData.idxLabels([1, 2]), to: "fewer", in: directory)
        #expect(throws: DataError.self) { try IDXFormat.read(images: imagePath, labels: fewer) }
    }
}
