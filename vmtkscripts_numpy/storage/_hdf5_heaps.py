"""HDF5's global heap, checked before HDF5 reads a variable-length string from it.

A variable-length string (a ``str`` leaf, h5py's string attributes) lives in a
*global heap collection* (``GCOL``), which carries no checksum. HDF5 walks a
collection's objects when it first reads from it, and a free-space object of
size 0 makes that walk stand still: one flipped bit in the file, and reading a
string never returns (found by ``tests/storage/test_fuzz.py``; HDF5 1.14 and
2.0). Neither h5py nor HDF5 says where a string's collection is, so this module
reads it from the file: the heap ids of a contiguous dataset from its raw data,
those of an attribute from its object header, and walks each collection they
name the way HDF5 will, refusing what would stop HDF5 or send it outside the
collection. Each collection is checked once per read, in time proportional to
its size (metadata, a few KiB).

Only what this package's files and h5py's hold is read: object headers of
versions 1 and 2 with their continuation chunks, attributes kept in the header
(not in dense storage) and not shared, contiguous string datasets.
"""

from __future__ import annotations

from typing import BinaryIO, Dict, List, Optional, Tuple

#: Object header message types.
_ATTRIBUTE, _CONTINUATION, _ATTRIBUTE_INFO = 0x000C, 0x0010, 0x0015
#: A datatype message's class of variable-length types.
_VARIABLE_LENGTH = 9
#: Chunks of an object header followed at most (a file's own headers have a handful).
_MAX_CHUNKS = 1024


class HeapError(ValueError):
    """What a reader reports as a damaged file: the message says what is wrong where."""


class GlobalHeaps:
    """Reads heap ids from a file's bytes and checks the collections they name.

    Parameters
    ----------
    stream : binary file
        The HDF5 file, open for reading.
    base : int
        Where HDF5's addresses count from (the user block's size).
    offset_size, length_size : int
        The file's sizes of addresses and lengths (from its superblock).
    file_size : int
        The file's size in bytes.
    """

    def __init__(self, stream: BinaryIO, base: int, offset_size: int, length_size: int, file_size: int) -> None:
        self.stream = stream
        self.base = base
        self.offset_size = offset_size
        self.length_size = length_size
        self.file_size = file_size
        self.checked: Dict[int, Dict[int, int]] = {}  # collection address -> object index -> size

    # bytes of the file ----------------------------------------------------------------------------------
    def read(self, address: int, size: int) -> bytes:
        if address < 0 or size < 0 or self.base + address + size > self.file_size:
            raise HeapError(f"{size} bytes at address {address} lie past the end of the file")
        self.stream.seek(self.base + address)
        data = self.stream.read(size)
        if len(data) != size:
            raise HeapError(f"the file ends before {size} bytes at address {address}")
        return data

    def number(self, data: bytes, position: int, size: int) -> int:
        if position + size > len(data):
            raise HeapError("an object header message ends early")
        return int.from_bytes(data[position:position + size], "little")

    # the heap ids of strings ----------------------------------------------------------------------------
    def heap_id_size(self) -> int:
        """Bytes of one variable-length element on disk: its length, its collection's address, its index."""
        return 4 + self.offset_size + 4

    def check_ids(self, raw: bytes, count: int) -> None:
        """Check the collections named by ``count`` heap ids in ``raw`` (each a length, an address, an index)."""
        size = self.heap_id_size()
        if len(raw) < count * size:
            raise HeapError(f"{len(raw)} bytes hold fewer than {count} string references")
        for index in range(count):
            start = index * size
            length = self.number(raw, start, 4)
            address = self.number(raw, start + 4, self.offset_size)
            object_index = self.number(raw, start + 4 + self.offset_size, 4)
            if length == 0 and address == 0:
                continue  # an empty string points nowhere
            objects = self.collection(address)
            if objects.get(object_index, -1) < length:
                raise HeapError(f"a string names object {object_index} of the heap collection at {address}, "
                                "which does not hold it")

    def dataset_ids(self, offset: Optional[int], count: int) -> bytes:
        """The raw heap ids of a contiguous dataset whose data starts at ``offset``."""
        if offset is None:
            raise HeapError("its strings are not stored contiguously")
        return self.read(offset, count * self.heap_id_size())

    # global heap collections ----------------------------------------------------------------------------
    def collection(self, address: int) -> Dict[int, int]:
        """``{object index: size}`` of the collection at ``address``, walked as HDF5 walks it, or HeapError."""
        objects = self.checked.get(address)
        if objects is not None:
            return objects
        header = self.read(address, 8 + self.length_size)
        if header[:4] != b"GCOL" or header[4] != 1:
            raise HeapError(f"no global heap collection at address {address}")
        size = self.number(header, 8, self.length_size)
        data = self.read(address, size)
        position = len(header)
        object_header = 8 + self.length_size
        objects = {}
        while position < size:
            if position + object_header > size:
                break  # too small for an object: free space
            index = self.number(data, position, 2)
            object_size = self.number(data, position + 8, self.length_size)
            if index:
                need = object_header + (object_size + 7) // 8 * 8
                objects[index] = object_size
            else:
                need = object_size  # free space: its size counts its own header
                if need < object_header:
                    raise HeapError(f"the heap collection at {address} has free space of {object_size} bytes, "
                                    "on which HDF5 would stop forever")
            if position + need > size:
                raise HeapError(f"object {index} of the heap collection at {address} runs past its end")
            position += need
        self.checked[address] = objects
        return objects

    # attributes in object headers -----------------------------------------------------------------------
    def attribute_data(self, header_address: int, name: str) -> Tuple[bytes, int]:
        """``(raw data, element count)`` of the variable-length attribute ``name`` of the object at
        ``header_address``, read from its object header."""
        wanted = name.encode("utf-8")
        for kind, message in self.messages(header_address):
            if kind == _ATTRIBUTE_INFO and message[1:2] and self.dense_heap(message) is not None:
                raise HeapError("its attributes are kept in dense storage, which no writer of ArrayDicts uses")
            if kind != _ATTRIBUTE:
                continue
            found = self.attribute(message)
            if found is not None and found[0] == wanted:
                return found[1], found[2]
        raise HeapError(f"its object header has no attribute {name}")

    def dense_heap(self, message: bytes) -> Optional[int]:
        """The fractal heap address of an attribute info message, or None where attributes are compact."""
        flags = message[1]
        position = 2 + (2 if flags & 0x01 else 0)
        address = self.number(message, position, self.offset_size)
        return None if address == (1 << (8 * self.offset_size)) - 1 else address

    def attribute(self, message: bytes) -> Optional[Tuple[bytes, bytes, int]]:
        """``(name, raw data, element count)`` of an attribute message whose type is variable-length, else None."""
        version = message[0] if message else 0
        if version not in (1, 2, 3):
            raise HeapError(f"an attribute message of version {version}")
        flags = message[1] if version > 1 else 0
        if flags & 0x03:
            raise HeapError("a shared datatype or dataspace in an attribute, which no writer of ArrayDicts uses")
        name_size = self.number(message, 2, 2)
        type_size = self.number(message, 4, 2)
        space_size = self.number(message, 6, 2)
        position = 8 + (1 if version == 3 else 0)

        def field(size: int) -> Tuple[int, int]:
            return size, (size + 7) // 8 * 8 if version == 1 else size

        name_size, name_span = field(name_size)
        type_size, type_span = field(type_size)
        space_size, space_span = field(space_size)
        name = message[position:position + name_size].rstrip(b"\0")
        position += name_span
        datatype = message[position:position + type_size]
        position += type_span
        dataspace = message[position:position + space_size]
        position += space_span
        if not datatype or datatype[0] & 0x0F != _VARIABLE_LENGTH:
            return None
        return name, message[position:], self.elements(dataspace)

    def elements(self, dataspace: bytes) -> int:
        """The number of elements a dataspace message describes."""
        if len(dataspace) < 4:
            raise HeapError("a dataspace message ends early")
        version, rank = dataspace[0], dataspace[1]
        if version == 2 and dataspace[3] == 2:
            return 0  # null dataspace
        start = 8 if version == 1 else 4
        count = 1
        for axis in range(rank):
            count *= self.number(dataspace, start + axis * self.length_size, self.length_size)
        return count

    def messages(self, address: int) -> List[Tuple[int, bytes]]:
        """``(type, data)`` of every message of the object header at ``address``, continuation chunks included."""
        first = self.read(address, 16)
        chunks: List[Tuple[int, int, int]] = []  # (address, size, version)
        result: List[Tuple[int, bytes]] = []
        if first[:4] == b"OHDR":
            if first[4] != 2:
                raise HeapError(f"an object header of version {first[4]}")
            flags = first[5]
            position = 6 + (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)
            width = 1 << (flags & 0x03)
            prefix = self.read(address, position + width)
            size = self.number(prefix, position, width)
            chunks.append((address + position + width, size, 2))
        elif first[0] == 1:
            flags = 0
            size = self.number(first, 8, 4)
            chunks.append((address + 16, size, 1))
        else:
            raise HeapError(f"no object header at address {address}")
        while chunks:
            if len(result) > 65536 or len(chunks) > _MAX_CHUNKS:
                raise HeapError("an object header with too many messages")
            chunk_address, size, version = chunks.pop(0)
            data = self.read(chunk_address, size)
            position, end = 0, size
            if version == 2:
                if chunk_address != address + len(prefix):  # a continuation block: signature ... checksum
                    if data[:4] != b"OCHK":
                        raise HeapError("a continuation chunk without its signature")
                    position, end = 4, size - 4
                header = 4 + (2 if flags & 0x04 else 0)
            else:
                end = size
                header = 8
            while position + header <= end:
                if version == 2:
                    kind = data[position]
                    length = self.number(data, position + 1, 2)
                else:
                    kind = self.number(data, position, 2)
                    length = self.number(data, position + 2, 2)
                position += header
                message = data[position:position + length]
                if len(message) != length:
                    raise HeapError("an object header message runs past its chunk")
                position += length
                if kind == _CONTINUATION:
                    chunk = (self.number(message, 0, self.offset_size),
                             self.number(message, self.offset_size, self.length_size))
                    chunks.append((chunk[0], chunk[1], version))
                else:
                    result.append((kind, message))
                if len(chunks) + len(result) > 65536:
                    raise HeapError("an object header with too many messages")
        return result
